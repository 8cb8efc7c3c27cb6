package demo

import (
	"time"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/internal/fake"
	ogfake "github.com/opsctx/opsctx/internal/fake/opsgenie"
	"github.com/opsctx/opsctx/internal/fake/schedule"
)

// opsgenieKey is the demo's Opsgenie API key.
const opsgenieKey = "demo-opsgenie-key"

func init() { register(config.SourceOpsgenie, startOpsgenie) }

func startOpsgenie(s Scenario, cfg *config.Config) (*fake.Server, error) {
	data := opsgenieData(s, time.Now())
	s.edit(config.SourceOpsgenie, &data)
	srv := ogfake.Start(data, opsgenieKey)
	cfg.Sources.Opsgenie = []*config.Opsgenie{{URL: srv.URL, APIKey: opsgenieKey}}
	return srv, nil
}

// Opsgenie ids of the demo's team, schedule, escalation and users.
const (
	ogTeamID     = "8f1a3c52-5d0b-4b8e-9c1e-7d4f2a6b0c11"
	ogScheduleID = "2c6e9d14-7a3b-4f5c-8e2d-1b9a0c4f6e22"
	ogEscID      = "5b7d2e81-3c4a-4d6f-9a1b-8e0c2f5d7a33"
	ogSamID      = "a1b2c3d4-0001-4000-8000-000000000001"
	ogLenaID     = "a1b2c3d4-0002-4000-8000-000000000002"
	ogKofiID     = "a1b2c3d4-0003-4000-8000-000000000003"
	ogAlertID    = "70413a06-38d6-4c85-92b8-5ebc900d42e2-1732600000000"
)

// opsgenieData renders the scenario in Opsgenie's shapes: team checkout, its schedule with
// Sam on call until his shift ends in 25 min, then Kofi, its escalation (schedule at once, Lena after 30 min), the open 5xx alert
// (tiny id 1042, alias shared with PagerDuty's alert_key) and yesterday's closed cart alert.
// On-call participants and escalation users are named by username (their e-mail), as in
// Opsgenie; the user listing gives their full names.
func opsgenieData(s Scenario, started time.Time) ogfake.Data {
	ts := func(before time.Duration) string { return s.At(before).Format(time.RFC3339) }
	team := &ogfake.TeamMeta{ID: ogTeamID, Name: OGTeam}
	return ogfake.Data{
		Now: func() time.Time { return s.T0.Add(time.Since(started)) },
		Teams: []ogfake.Team{{ID: ogTeamID, Name: OGTeam, Description: "Checkout team", Members: []ogfake.TeamMember{
			{User: ogfake.UserMeta{ID: ogSamID, Username: Email(Sam)}, Role: "user"},
			{User: ogfake.UserMeta{ID: ogLenaID, Username: Email(Lena)}, Role: "admin"},
		}}},
		Users: []ogfake.User{
			{ID: ogSamID, Username: Email(Sam), FullName: Sam, Role: &ogfake.UserRole{ID: "User", Name: "User"}, TimeZone: "Europe/London",
				Locale: "en_GB", Verified: true, CreatedAt: ts(400 * 24 * time.Hour)},
			{ID: ogLenaID, Username: Email(Lena), FullName: Lena, Role: &ogfake.UserRole{ID: "Admin", Name: "Admin"}, TimeZone: "Europe/Berlin",
				Locale: "de_DE", Verified: true, CreatedAt: ts(700 * 24 * time.Hour)},
			{ID: ogKofiID, Username: Email(Kofi), FullName: Kofi, Role: &ogfake.UserRole{ID: "User", Name: "User"}, TimeZone: "Africa/Accra",
				Locale: "en_GB", Verified: true, CreatedAt: ts(200 * 24 * time.Hour)},
		},
		Schedules: []ogfake.Schedule{
			{ID: ogScheduleID, Name: OGSchedule, Description: "Checkout primary on-call", Timezone: "Europe/London", Enabled: true, OwnerTeam: team},
		},
		Rotations: map[string][]schedule.Shift{ogScheduleID: {
			{Rotation: "primary", Start: s.At(20 * time.Hour), End: s.At(-ShiftEndsIn), Who: Email(Sam)},
			{Rotation: "primary", Start: s.At(-ShiftEndsIn), End: s.At(-ShiftEndsIn - 24*time.Hour), Who: Email(Kofi)},
		}},
		Escalations: []ogfake.Escalation{{ID: ogEscID, Name: "checkout_escalation", OwnerTeam: team, Rules: []ogfake.EscalationRule{
			{Condition: "if-not-acked", NotifyType: "default", Delay: ogfake.Duration{TimeAmount: 0, TimeUnit: "minutes"},
				Recipient: ogfake.Recipient{Type: "schedule", ID: ogScheduleID, Name: OGSchedule}},
			{Condition: "if-not-acked", NotifyType: "default", Delay: ogfake.Duration{TimeAmount: EscalateAfter, TimeUnit: "minutes"},
				Recipient: ogfake.Recipient{Type: "user", ID: ogLenaID, Username: Email(Lena)}},
		}}},
		Alerts: []ogfake.Alert{
			{BaseAlert: ogfake.BaseAlert{ID: ogAlertID, TinyID: OGTinyID, Alias: OGAlias, Message: "checkout 5xx rate above 2%",
				Status: "open", Tags: []string{"service:" + Checkout, "env:prod"}, Count: 3,
				LastOccurredAt: ts(2 * time.Minute), CreatedAt: ts(OpsgenieAt), UpdatedAt: ts(2 * time.Minute),
				Source: "prometheus", Owner: "", Priority: "P2", Responders: []ogfake.Responder{{Type: "team", ID: ogTeamID}},
				Integration: &ogfake.Integration{ID: "0c9d8e7f-1111-4222-8333-444455556666", Name: "Prometheus", Type: "Prometheus"}},
				Actions: []string{}, Entity: Checkout, Description: "HTTP 5xx ratio on checkout above 2% for 5 minutes.",
				Details: map[string]string{"runbook": "https://runbooks.shop.example/checkout"}},
			{BaseAlert: ogfake.BaseAlert{ID: "19c4e7a2-55aa-4bb1-8cc2-0d1e2f3a4b5c-1732500000000", TinyID: "1031", Alias: "cart-redis-evictions",
				Message: "cart session cache evictions", Status: "closed", Acknowledged: true, IsSeen: true, Tags: []string{"service:" + Cart},
				Count: 1, LastOccurredAt: ts(26 * time.Hour), CreatedAt: ts(26 * time.Hour), UpdatedAt: ts(25 * time.Hour),
				Source: "prometheus", Priority: "P4", Responders: []ogfake.Responder{},
				Report: &ogfake.Report{AckTime: 60000, CloseTime: 3600000, AcknowledgedBy: Email(Lena), ClosedBy: Email(Lena)}},
				Actions: []string{}, Entity: Cart, Details: map[string]string{}},
		},
	}
}
