package demo

import (
	"fmt"
	"strconv"
	"time"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/internal/fake"
	dtfake "github.com/opsctx/opsctx/internal/fake/dynatrace"
)

// dynatraceToken is the demo's Dynatrace API token.
const dynatraceToken = "dt0c01.DEMO.shop-demo-token"

// dynatraceEnvPath serves the demo like a Managed environment, so the base path is exercised.
const dynatraceEnvPath = "/e/shop-demo"

func init() { register(config.SourceDynatrace, startDynatrace) }

func startDynatrace(s Scenario, cfg *config.Config) (*fake.Server, error) {
	started := time.Now()
	data := dynatraceData(s)
	s.edit(config.SourceDynatrace, &data)
	srv := dtfake.Start(dtfake.Options{Token: dynatraceToken, BasePath: dynatraceEnvPath,
		Now: func() time.Time { return s.T0.Add(time.Since(started)) }}, data)
	cfg.Sources.Dynatrace = []*config.Dynatrace{{URL: srv.EnvURL(), Token: dynatraceToken}}
	return srv.Server, nil
}

// dynatraceData renders the scenario as Dynatrace sees it: the measured service topology
// (including fraud-check, which the catalog lacks), problem P-2311 rooted in orders-db, and
// the deployment and configuration events.
func dynatraceData(s Scenario) dtfake.Data {
	ms := func(before time.Duration) int64 { return s.At(before).UnixMilli() }
	end := func(before time.Duration) *int64 { v := ms(before); return &v }
	svc := func(id, name string) dtfake.EntityStub { return dtfake.Stub(id, "SERVICE", name) }
	checkout, ordersDB := svc(DTCheckout, "checkout-service"), svc(DTOrdersDB, OrdersDB)
	zone := []dtfake.ManagementZone{{ID: "-4156223918458236214", Name: "shop-production"}}
	configEvent := dtfake.Event{
		EventID: "-2917845604318820617_" + itoa(ms(ChangeAt)), EventType: "CUSTOM_CONFIGURATION",
		Title: "statement_timeout 5s -> 30s", StartTime: ms(ChangeAt), EndTime: end(ChangeAt - time.Minute), Status: "CLOSED",
		EntityID: ordersDB, ManagementZones: zone,
		Properties: []dtfake.Property{{Key: "author", Value: Priya}, {Key: "change_request", Value: SNChange},
			{Key: "setting", Value: "statement_timeout"}, {Key: "old", Value: "5s"}, {Key: "new", Value: "30s"},
			{Key: "dt.event.is_rootcause_relevant", Value: "true"}},
	}
	affectedUsers, calls := int64(1520), int64(48210)
	before, after := 420.0, 1680.0
	return dtfake.Data{
		Entities: dynatraceEntities(s),
		Problems: []dtfake.Problem{{
			ProblemID: DTProblemID, DisplayID: DTDisplayID, Title: "Response time degradation",
			ImpactLevel: "SERVICES", SeverityLevel: "PERFORMANCE", Status: "OPEN", StartTime: ms(ProblemAt), EndTime: -1,
			RootCauseEntity: &ordersDB, ImpactedEntities: []dtfake.EntityStub{checkout},
			AffectedEntities: []dtfake.EntityStub{ordersDB, checkout}, ManagementZones: zone,
			EntityTags:     []dtfake.Tag{dtfake.ContextlessTag("app", Checkout), dtfake.ContextlessTag("owner", "team-checkout")},
			ProblemFilters: []dtfake.AlertingProfileStub{{ID: "c21f969b-5f03-333d-83e0-4f8f136e7682", Name: "Default"}},
			EvidenceDetails: &dtfake.EvidenceDetails{TotalCount: 2, Details: []dtfake.Evidence{
				{EvidenceType: "EVENT", DisplayName: "statement_timeout 5s -> 30s", Entity: ordersDB, RootCauseRelevant: true,
					StartTime: ms(ChangeAt), EndTime: configEvent.EndTime, EventID: configEvent.EventID, EventType: configEvent.EventType, Data: &configEvent},
				{EvidenceType: "TRANSACTIONAL", DisplayName: "Response time degradation", Entity: checkout, RootCauseRelevant: false,
					StartTime: ms(ProblemAt), EndTime: end(0), Unit: "MicroSecond", ValueBefore: &before, ValueAfter: &after},
			}},
			ImpactAnalysis: &dtfake.ImpactAnalysis{Impacts: []dtfake.Impact{{ImpactType: "SERVICE", ImpactedEntity: checkout,
				EstimatedAffectedUsers: affectedUsers, NumberOfPotentiallyAffectedServiceCalls: &calls}}},
		}},
		Events: []dtfake.Event{
			{EventID: "-8035429177510134416_" + itoa(ms(DeployAt)), EventType: "CUSTOM_DEPLOYMENT", Title: "Deploy checkout v2.14.0",
				StartTime: ms(DeployAt), EndTime: end(DeployAt - 4*time.Minute), Status: "CLOSED", EntityID: checkout, ManagementZones: zone,
				Properties: []dtfake.Property{{Key: "dt.event.deployment.name", Value: "checkout"}, {Key: "dt.event.deployment.version", Value: "v2.14.0"},
					{Key: "dt.event.deployment.project", Value: "shop/checkout"}, {Key: "dt.event.deployment.release_stage", Value: "production"},
					{Key: "dt.event.deployment.ci_back_link", Value: "https://ci.shop.example/shop/checkout/-/pipelines/8812"},
					{Key: "author", Value: Lena}}},
			{EventID: "-1386735525180337920_" + itoa(ms(InventoryAt)), EventType: "CUSTOM_DEPLOYMENT", Title: "Deploy inventory v1.8.2",
				StartTime: ms(InventoryAt), EndTime: end(InventoryAt - 2*time.Minute), Status: "CLOSED", EntityID: svc(DTInventory, Inventory), ManagementZones: zone,
				Properties: []dtfake.Property{{Key: "dt.event.deployment.name", Value: "inventory"}, {Key: "dt.event.deployment.version", Value: "v1.8.2"},
					{Key: "dt.event.deployment.project", Value: "shop/inventory"},
					{Key: "dt.event.deployment.ci_back_link", Value: "https://ci.shop.example/shop/inventory/-/pipelines/3107"}}},
			configEvent,
			{EventID: "-6120553317490810331_" + itoa(ms(PatchAt-3*time.Minute)), EventType: "CUSTOM_CONFIGURATION",
				Title: "kernel 6.1.0-27 -> 6.1.0-28, reboot", StartTime: ms(PatchAt - 3*time.Minute), EndTime: end(PatchAt - 9*time.Minute),
				Status: "CLOSED", EntityID: dtfake.Stub(DTAppHost, "HOST", AppHostFQDN), ManagementZones: zone,
				Properties: []dtfake.Property{{Key: "author", Value: Dev}, {Key: "change_request", Value: SNPatch}}},
		},
		SLOs: dynatraceSLOs(),
	}
}

// Dynatrace's view of the demo SLOs. The p95 problem shows as fast burn on the checkout
// latency SLO: 99.6% of requests fast over the week (target 99.5, warning 99.8), so 20% of
// the budget is left and the last hour burns it 12x faster than sustainable (FAST above the
// 10x threshold) — a warning, not a page. Payments is healthy.
const (
	DTLatencySLOID  = "7f3e2a10-4c5b-4d6e-8f90-1a2b3c4d5e6f"
	DTLatencySLO    = "Checkout p95 latency"
	DTLatencyBurn   = 12.0
	DTLatencyTarget = 99.5
)

func dynatraceSLOs() []dtfake.SLO {
	f := func(v float64) *float64 { return &v }
	return []dtfake.SLO{
		{ID: DTLatencySLOID, Name: DTLatencySLO, Description: "Share of checkout requests served under 2s (p95 objective)", Enabled: true,
			Target: DTLatencyTarget, Warning: 99.8, Timeframe: "-1w", Filter: `type("SERVICE"),entityId("` + DTCheckout + `")`,
			MetricExpression:    `(100)*(calc:service.checkout_fast_requests:splitBy())/(builtin:service.requestCount.server:splitBy())`,
			EvaluatedPercentage: 99.6, ErrorBudget: 0.1, Status: "WARNING",
			ErrorBudgetBurnRate: dtfake.SLOBurnRate{BurnRateVisualizationEnabled: true, BurnRateType: "FAST", BurnRateValue: f(DTLatencyBurn),
				FastBurnThreshold: f(10), SLOValue: f(94), EstimatedTimeToConsumeErrorBudget: f(2.8)}},
		{ID: "0c1d2e3f-4a5b-4c6d-9e8f-7a6b5c4d3e2f", Name: "Payments availability", Description: "Successful payment calls", Enabled: true,
			Target: 99.9, Warning: 99.95, Timeframe: "-30d", Filter: `type("SERVICE"),entityId("` + DTPayments + `")`,
			MetricExpression:    `(100)*(builtin:service.errors.server.successCount:splitBy())/(builtin:service.requestCount.server:splitBy())`,
			EvaluatedPercentage: 99.97, ErrorBudget: 0.07, Status: "SUCCESS",
			ErrorBudgetBurnRate: dtfake.SLOBurnRate{BurnRateVisualizationEnabled: true, BurnRateType: "SLOW", BurnRateValue: f(0.3), FastBurnThreshold: f(10)}},
	}
}

// dynatraceEntities is the topology Dynatrace measured: checkout calls payments, orders-db,
// fraud-check and cart; inventory calls orders-db. Both directions are stated, as the API does.
func dynatraceEntities(s Scenario) []dtfake.Entity {
	type node struct{ id, name, serviceType, owner, app string }
	nodes := []node{
		{DTCheckout, "checkout-service", "WEB_REQUEST_SERVICE", "team-checkout", Checkout},
		{DTPayments, Payments, "WEB_REQUEST_SERVICE", "team-payments", Payments},
		{DTCart, Cart, "WEB_REQUEST_SERVICE", "team-storefront", Cart},
		{DTInventory, Inventory, "WEB_REQUEST_SERVICE", "team-storefront", Inventory},
		{DTOrdersDB, OrdersDB, "DATABASE_SERVICE", "team-platform", OrdersDB},
		{DTFraudCheck, "fraud-check", "WEB_REQUEST_SERVICE", "team-payments", "fraud-check"},
		{DTRecs, Recs, "WEB_REQUEST_SERVICE", "team-storefront", Recs},
	}
	calls := [][2]string{{DTCheckout, DTPayments}, {DTCheckout, DTOrdersDB}, {DTCheckout, DTFraudCheck}, {DTCheckout, DTCart}, {DTInventory, DTOrdersDB}}
	ref := func(id string) dtfake.EntityID { return dtfake.EntityID{ID: id, Type: "SERVICE"} }
	var out []dtfake.Entity
	for i, n := range nodes {
		e := dtfake.Entity{EntityID: n.id, Type: "SERVICE", DisplayName: n.name,
			FirstSeenTms: s.At(400 * 24 * time.Hour).UnixMilli(), LastSeenTms: s.At(0).UnixMilli(),
			Tags: []dtfake.Tag{dtfake.ContextlessTag("app", n.app), dtfake.ContextlessTag("owner", n.owner),
				{Context: "KUBERNETES", Key: "namespace", Value: "shop", StringRepresentation: "[Kubernetes]namespace:shop"}},
			ManagementZones:   []dtfake.ManagementZone{{ID: "-4156223918458236214", Name: "shop-production"}},
			Properties:        map[string]any{"serviceType": n.serviceType},
			FromRelationships: map[string][]dtfake.EntityID{"runsOn": {{ID: "PROCESS_GROUP-" + hex16(i), Type: "PROCESS_GROUP"}}},
			ToRelationships:   map[string][]dtfake.EntityID{},
		}
		for _, c := range calls {
			if c[0] == n.id {
				e.FromRelationships["calls"] = append(e.FromRelationships["calls"], ref(c[1]))
			}
			if c[1] == n.id {
				e.ToRelationships["calls"] = append(e.ToRelationships["calls"], ref(c[0]))
			}
		}
		out = append(out, e)
	}
	// Inventory's and recommendations' process groups run on app-prod-07 (hostGroup order:
	// the process group runsOn the host, as the entity model states it).
	host := dtfake.EntityID{ID: DTAppHost, Type: "HOST"}
	for _, i := range []int{3, 6} {
		out = append(out, dtfake.Entity{EntityID: "PROCESS_GROUP-" + hex16(i), Type: "PROCESS_GROUP", DisplayName: nodes[i].name + " (gunicorn)",
			FirstSeenTms: s.At(200 * 24 * time.Hour).UnixMilli(), LastSeenTms: s.At(0).UnixMilli(),
			FromRelationships: map[string][]dtfake.EntityID{"runsOn": {host}}, ToRelationships: map[string][]dtfake.EntityID{}})
	}
	out = append(out, dtfake.Entity{EntityID: DTAppHost, Type: "HOST", DisplayName: AppHostFQDN,
		FirstSeenTms: s.At(300 * 24 * time.Hour).UnixMilli(), LastSeenTms: s.At(0).UnixMilli(),
		Properties:        map[string]any{"ipAddress": []any{AppHostIP}, "osType": "LINUX", "detectedName": AppHostFQDN},
		ManagementZones:   []dtfake.ManagementZone{{ID: "-4156223918458236214", Name: "shop-production"}},
		FromRelationships: map[string][]dtfake.EntityID{}, ToRelationships: map[string][]dtfake.EntityID{}})
	return out
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// hex16 is a 16-digit entity id suffix.
func hex16(i int) string { return fmt.Sprintf("%016X", 0x7D3A9C1E5B000000+i) }

// DynatraceData is the scenario as Dynatrace sees it (the data the demo's fake serves).
func DynatraceData(s Scenario) dtfake.Data { return dynatraceData(s) }
