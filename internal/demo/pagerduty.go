package demo

import (
	"time"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/internal/fake"
	pdfake "github.com/opsctx/opsctx/internal/fake/pagerduty"
)

// ackTimeout is how long (seconds) an acknowledged checkout incident stays acknowledged:
// PagerDuty's default of 30 minutes.
var ackTimeout = 1800

// pagerDutyToken is the demo's PagerDuty REST API token.
const pagerDutyToken = "demo-pagerduty-token"

func init() { register(config.SourcePagerDuty, startPagerDuty) }

func startPagerDuty(s Scenario, cfg *config.Config) (*fake.Server, error) {
	data := pagerDutyData(s, time.Now())
	s.edit(config.SourcePagerDuty, &data)
	srv := pdfake.Start(data, pagerDutyToken)
	cfg.Sources.PagerDuty = []*config.PagerDuty{{URL: srv.URL, Token: pagerDutyToken}}
	return srv, nil
}

// PagerDuty ids of the demo's people, teams and schedules.
const (
	pdSam       = "PSAMOK1"
	pdLena      = "PLENAF1"
	pdMarco     = "PMARCO1"
	pdKofi      = "PKOFIM1"
	pdTeamChk   = "PTCHK01"
	pdTeamPay   = "PTPAY01"
	pdTeamStore = "PTSTO01"
	pdManagers  = "PSCHMGR"
	pdPayPolicy = "PPAYESC"
	pdStoPolicy = "PSTOESC"
)

// pagerDutyData renders the scenario in PagerDuty's shapes: the services, the checkout
// escalation policy (Sam 30 min → Lena 30 min → Checkout managers), who is on call and who
// takes over (Sam's L1 shift ends in 25 min, then Kofi), incident #4711 with its two alerts,
// the innocent payments change event, and Cart's maintenance window ending in 20 min.
// The fake's clock runs from T0 at started.
func pagerDutyData(s Scenario, started time.Time) pdfake.Data {
	ts := func(before time.Duration) string { return s.At(before).Format(time.RFC3339) }
	ref := func(id, summary string) pdfake.Ref { return pdfake.Ref{ID: id, Summary: summary} }
	sam, lena := ref(pdSam, Sam), ref(pdLena, Lena)
	checkoutSvc := ref(PDCheckout, "Checkout API")
	chkTeam := ref(pdTeamChk, "Checkout")
	chkPolicy := ref(PDPolicy, "Checkout escalation")
	kofi := ref(pdKofi, Kofi)
	return pdfake.Data{
		Now: func() time.Time { return s.T0.Add(time.Since(started)) },
		Services: []pdfake.Service{
			{ID: PDCheckout, Name: "Checkout API", Description: "Checkout: turns a cart into a paid order.", Status: "critical",
				CreatedAt: ts(400 * 24 * time.Hour), EscalationPolicy: chkPolicy, Teams: []pdfake.Ref{chkTeam}, AcknowledgementTimeout: &ackTimeout},
			{ID: PDPayments, Name: "Payments", Description: "Card authorisation and capture.",
				CreatedAt: ts(400 * 24 * time.Hour), EscalationPolicy: ref(pdPayPolicy, "Payments escalation"),
				Teams: []pdfake.Ref{ref(pdTeamPay, "Payments")}},
			{ID: PDCart, Name: "Cart", CreatedAt: ts(300 * 24 * time.Hour), EscalationPolicy: ref(pdStoPolicy, "Storefront escalation"),
				Teams: []pdfake.Ref{ref(pdTeamStore, "Storefront")}},
			{ID: PDStorefront, Name: "Storefront", CreatedAt: ts(300 * 24 * time.Hour), EscalationPolicy: ref(pdStoPolicy, "Storefront escalation"),
				Teams: []pdfake.Ref{ref(pdTeamStore, "Storefront")}},
		},
		Users: []pdfake.User{
			{ID: pdSam, Name: Sam, Email: Email(Sam), TimeZone: "Europe/London"},
			{ID: pdLena, Name: Lena, Email: Email(Lena), TimeZone: "Europe/Berlin"},
			{ID: pdMarco, Name: Marco, Email: Email(Marco), TimeZone: "Europe/Rome"},
			{ID: pdKofi, Name: Kofi, Email: Email(Kofi), TimeZone: "Africa/Accra"},
		},
		Policies: []pdfake.EscalationPolicy{
			{ID: PDPolicy, Name: "Checkout escalation", Description: "Checkout API on-call", NumLoops: 0,
				EscalationRules: []pdfake.EscalationRule{
					{ID: "PRCHK01", EscalationDelayInMinutes: EscalateAfter, Targets: []pdfake.Ref{sam}},
					{ID: "PRCHK02", EscalationDelayInMinutes: 30, Targets: []pdfake.Ref{lena}},
					{ID: "PRCHK03", EscalationDelayInMinutes: 30, Targets: []pdfake.Ref{
						{ID: pdManagers, Type: "schedule_reference", Summary: "Checkout managers"}}},
				},
				Services: []pdfake.Ref{checkoutSvc}, Teams: []pdfake.Ref{chkTeam}},
			{ID: pdPayPolicy, Name: "Payments escalation", EscalationRules: []pdfake.EscalationRule{
				{ID: "PRPAY01", EscalationDelayInMinutes: 15, Targets: []pdfake.Ref{ref(pdMarco, Marco)}}},
				Services: []pdfake.Ref{ref(PDPayments, "Payments")}, Teams: []pdfake.Ref{ref(pdTeamPay, "Payments")}},
			{ID: pdStoPolicy, Name: "Storefront escalation", EscalationRules: []pdfake.EscalationRule{
				{ID: "PRSTO01", EscalationDelayInMinutes: 30, Targets: []pdfake.Ref{ref(pdMarco, Marco)}}},
				Services: []pdfake.Ref{ref(PDCart, "Cart"), ref(PDStorefront, "Storefront")}},
		},
		// Nobody is on the Checkout managers schedule right now (level 3 is unstaffed).
		OnCalls: []pdfake.OnCall{
			{User: sam, EscalationPolicy: chkPolicy, EscalationLevel: 1, Start: ts(8 * time.Hour), End: ts(-ShiftEndsIn)},
			{User: kofi, EscalationPolicy: chkPolicy, EscalationLevel: 1, Start: ts(-ShiftEndsIn), End: ts(-ShiftEndsIn - 12*time.Hour)},
			{User: lena, EscalationPolicy: chkPolicy, EscalationLevel: 2, Start: ts(8 * time.Hour), End: ts(-16 * time.Hour)},
			{User: ref(pdMarco, Marco), EscalationPolicy: ref(pdPayPolicy, "Payments escalation"), EscalationLevel: 1},
			// Storefront's level 1 targets Marco directly: PagerDuty lists him on call there, always.
			{User: ref(pdMarco, Marco), EscalationPolicy: ref(pdStoPolicy, "Storefront escalation"), EscalationLevel: 1},
		},
		Incidents: []pdfake.Incident{
			{ID: PDIncidentID, IncidentNumber: PDIncidentNo, Title: "Checkout p95 latency above 2s", Status: "triggered",
				CreatedAt: ts(IncidentAt), IncidentKey: "checkout-latency-p95", Service: checkoutSvc, Urgency: "high",
				Priority: &pdfake.Priority{ID: "PPRIOP1", Name: "P1"}, AssignedVia: "escalation_policy",
				Assignments: []pdfake.Assignment{{At: ts(IncidentAt), Assignee: sam}},
				AlertCounts: &pdfake.AlertCounts{Triggered: 2, All: 2}, EscalationPolicy: &chkPolicy, Teams: []pdfake.Ref{chkTeam}},
			{ID: "Q0CHK6OLDDISK", IncidentNumber: PDIncidentNo - 9, Title: "Checkout disk usage above 90%", Status: "resolved",
				CreatedAt: ts(50 * time.Hour), Service: checkoutSvc, Urgency: "low", AssignedVia: "escalation_policy",
				Assignments: []pdfake.Assignment{}, EscalationPolicy: &chkPolicy, Teams: []pdfake.Ref{chkTeam}},
		},
		Alerts: []pdfake.Alert{
			{ID: "PALCHKP95", Summary: "Checkout p95 latency above 2s", CreatedAt: ts(IncidentAt), Status: "triggered",
				AlertKey: "checkout-latency-p95", Service: checkoutSvc, Incident: ref(PDIncidentID, ""), Severity: "critical",
				Body: pdfake.AlertBody{Contexts: []pdfake.Context{{Type: "link", Href: "https://runbooks.shop.example/checkout", Text: "Checkout runbook"}},
					Details: map[string]any{"p95_ms": "2400", "threshold_ms": "2000"}}},
			{ID: "PALCHK5XX", Summary: "checkout 5xx rate above 2%", CreatedAt: ts(OpsgenieAt), Status: "triggered",
				AlertKey: OGAlias, Service: checkoutSvc, Incident: ref(PDIncidentID, ""), Severity: "error",
				Body: pdfake.AlertBody{Details: map[string]any{"rate": "2.7%"}}},
		},
		ChangeEvents: []pdfake.ChangeEvent{
			{ID: "01PAY3DS2EUFLAG", Summary: "payments: enable 3DS2 flag for EU", Timestamp: ts(PaymentsFlagAt),
				Services: []pdfake.Ref{ref(PDPayments, "Payments")}, Source: "feature-flags",
				Integration:   &pdfake.Ref{ID: "PINTFLG", Summary: "Feature flags"},
				Links:         []pdfake.Link{{Href: "https://flags.shop.example/payments/3ds2-eu", Text: "Flag history"}},
				CustomDetails: map[string]any{"change_type": "config", "author": Marco, "flag": "payments.3ds2.eu", "value": "on"}},
		},
		Related: map[string][]pdfake.RelatedChange{
			PDIncidentID: {{ChangeEventID: "01PAY3DS2EUFLAG", Reason: "related_service"}},
		},
		MaintenanceWindows: []pdfake.MaintenanceWindow{
			{ID: "PMWCART", StartTime: ts(40 * time.Minute), EndTime: ts(-SilenceEndsIn), Description: "cart session store migration",
				CreatedBy: &pdfake.Ref{ID: pdMarco, Summary: Marco}, Services: []pdfake.Ref{ref(PDCart, "Cart")}},
		},
		Relationships: []pdfake.Relationship{
			{ID: "DCHKPAY", SupportingService: ref(PDPayments, ""), DependentService: checkoutSvc},
			{ID: "DCHKCRT", SupportingService: ref(PDCart, ""), DependentService: checkoutSvc},
			{ID: "DSTOCHK", SupportingService: checkoutSvc, DependentService: ref(PDStorefront, "")},
		},
	}
}
