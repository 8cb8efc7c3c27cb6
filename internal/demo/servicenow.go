package demo

import (
	"strings"
	"time"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/internal/fake"
	snfake "github.com/opsctx/opsctx/internal/fake/servicenow"
)

func init() { register(config.SourceServiceNow, startServiceNow) }

// Demo credentials of the ServiceNow fake: an OAuth application (client credentials) acting
// as its integration user.
const (
	snUser         = "opsctx-demo"
	snClientID     = "opsctx-demo-client"
	snClientSecret = "demo-servicenow-client-secret"
)

// startServiceNow serves the scenario's CMDB, changes, incident and on-call as a ServiceNow
// instance and points cfg at it, signing in with OAuth client credentials.
func startServiceNow(s Scenario, cfg *config.Config) (*fake.Server, error) {
	data := ServiceNowData(s)
	s.edit(config.SourceServiceNow, &data)
	srv := snfake.Start(data, snfake.Options{Username: snUser, ClientID: snClientID, ClientSecret: snClientSecret})
	cfg.Sources.ServiceNow = []*config.ServiceNow{{URL: srv.URL, ClientID: snClientID, ClientSecret: config.Secret(snClientSecret),
		CIClasses: []string{config.DefaultServiceNowCIClass}, MaxRows: config.DefaultServiceNowMaxRows}}
	return srv.Server, nil
}

// snID is the demo sys_id of a named record.
func snID(name string) string { return snfake.SysID("demo:" + name) }

// ServiceNowData renders the scenario as ServiceNow tables. The CMDB owner of checkout is the
// support group "Checkout Support" (Backstage says team-checkout: the disagreement is on
// purpose); orders-db-prod is a database instance, outside the default CI class, reached
// through its "Depends on" relation; whoisoncall names Sam Okafor for Checkout Support and
// Priya Nair for Database Operations (orders-db's support group). The culprit CHG0030017 was
// approved by Lena and has a backout plan; CHG0030020, an orders-db failover test, is
// scheduled to start 45 minutes after T0.
func ServiceNowData(s Scenario) snfake.Data {
	at := func(before time.Duration) string { return s.At(before).Format(snfake.Time) }
	dependsOn, runsOn := snID("type:depends-on"), snID("type:runs-on")
	user := func(name string) snfake.Record {
		return snfake.Record{"sys_id": snID(name), "name": name, "email": Email(name), "user_name": strings.TrimSuffix(Email(name), "@shop.example")}
	}
	group := func(name, email, manager string) snfake.Record {
		return snfake.Record{"sys_id": snID(name), "name": name, "email": email, "manager": snID(manager), "active": "true"}
	}
	return snfake.Data{
		Tables: map[string][]snfake.Record{
			"sys_user": {user(Sam), user(Lena), user(Priya), user(Marco), user(Dev), user(Aiko)},
			"sys_user_group": {
				group(SNSupportGrp, "checkout-support@shop.example", Lena),
				group("Checkout Engineering", "checkout-eng@shop.example", Lena),
				group("Payments Support", "payments-support@shop.example", Marco),
				group("Database Operations", "dba@shop.example", Priya),
				group(SNPlatform, "platform-ops@shop.example", Dev),
				group(SNStoreGrp, "storefront-support@shop.example", Aiko),
			},
			"cmdb_rel_type": {
				{"sys_id": dependsOn, "name": snfake.DependsOn},
				{"sys_id": runsOn, "name": "Runs on::Runs"},
			},
			"cmdb_ci_service": {
				{"sys_id": snID(SNCheckout), "name": SNCheckout, "short_description": "Online shop checkout: cart to paid order",
					"service_classification": "Business Service", "operational_status": "1", "used_for": "Production",
					"busines_criticality": "1 - most critical", "support_group": snID(SNSupportGrp),
					"managed_by_group": snID("Checkout Engineering"), "owned_by": snID(Lena)},
				{"sys_id": snID(SNPayments), "name": SNPayments, "short_description": "Card payment authorisation and capture",
					"service_classification": "Business Service", "operational_status": "1", "used_for": "Production",
					"busines_criticality": "1 - most critical", "support_group": snID("Payments Support"), "owned_by": snID(Marco)},
				{"sys_id": snID(SNRecs), "name": SNRecs, "short_description": "Product recommendations on the storefront",
					"service_classification": "Business Service", "operational_status": "1", "used_for": "Production",
					"busines_criticality": "3 - less critical", "support_group": snID(SNStoreGrp), "owned_by": snID(Aiko)},
			},
			"cmdb_ci_db_instance": {
				{"sys_id": snID(SNOrdersDB), "name": SNOrdersDB, "short_description": "PostgreSQL cluster for orders",
					"operational_status": "1", "support_group": snID("Database Operations"), "owned_by": snID(Priya)},
			},
			"cmdb_ci_linux_server": {
				{"sys_id": snID("db-prod-01"), "name": "db-prod-01", "operational_status": "1"},
				{"sys_id": snID(AppHost), "name": AppHost, "fqdn": AppHostFQDN, "host_name": AppHost, "ip_address": AppHostIP,
					"os": "Linux Red Hat", "operational_status": "1", "support_group": snID(SNPlatform), "owned_by": snID(Dev)},
			},
			"cmdb_rel_ci": {
				{"sys_id": snID("rel:checkout-orders-db"), "parent": snID(SNCheckout), "child": snID(SNOrdersDB), "type": dependsOn},
				{"sys_id": snID("rel:checkout-payments"), "parent": snID(SNCheckout), "child": snID(SNPayments), "type": dependsOn},
				{"sys_id": snID("rel:orders-db-host"), "parent": snID(SNOrdersDB), "child": snID("db-prod-01"), "type": runsOn},
				{"sys_id": snID("rel:recs-host"), "parent": snID(SNRecs), "child": snID(AppHost), "type": runsOn},
			},
			"change_request": {
				{"sys_id": snID(SNChange), "number": SNChange, "short_description": "raise orders-db statement timeout",
					"type": "normal", "state": "-1", "risk": "3", "start_date": at(ChangeAt + 4*time.Minute), "end_date": at(-30 * time.Minute),
					"work_start": at(ChangeAt), "assigned_to": snID(Priya), "requested_by": snID(Priya),
					"assignment_group": snID("Database Operations"), "cmdb_ci": snID(SNOrdersDB), "opened_at": at(26 * time.Hour),
					"approval": "approved", "backout_plan": "ALTER SYSTEM SET statement_timeout = '30s'; SELECT pg_reload_conf(); verify with SHOW statement_timeout."},
				{"sys_id": snID(SNScheduledChange), "number": SNScheduledChange, "short_description": "orders-db failover test",
					"type": "normal", "state": "-2", "risk": "3", "start_date": at(-ScheduledChangeIn), "end_date": at(-ScheduledChangeIn - time.Hour),
					"requested_by": snID(Priya), "assignment_group": snID("Database Operations"), "cmdb_ci": snID(SNOrdersDB),
					"opened_at": at(72 * time.Hour), "approval": "approved"},
				{"sys_id": snID("CHG0030012"), "number": "CHG0030012", "short_description": "rotate payments TLS certificate",
					"type": "standard", "state": "3", "close_code": "successful", "start_date": at(100 * time.Minute),
					"end_date": at(80 * time.Minute), "work_start": at(100 * time.Minute), "work_end": at(92 * time.Minute),
					"assigned_to": snID(Marco), "assignment_group": snID("Payments Support"), "business_service": snID(SNPayments),
					"cmdb_ci": snID(SNPayments), "opened_at": at(50 * time.Hour)},
				{"sys_id": snID("CHG0029950"), "number": "CHG0029950", "short_description": "checkout JVM heap increase",
					"type": "normal", "state": "3", "close_code": "successful", "start_date": at(72 * time.Hour),
					"work_start": at(72 * time.Hour), "work_end": at(71 * time.Hour), "assigned_to": snID(Lena),
					"cmdb_ci": snID(SNCheckout), "opened_at": at(100 * time.Hour)},
				{"sys_id": snID(SNPatch), "number": SNPatch, "short_description": "monthly OS patching and reboot of app-prod-07",
					"type": "standard", "state": "-1", "start_date": at(PatchAt + 2*time.Minute), "end_date": at(PatchAt - 58*time.Minute),
					"work_start": at(PatchAt), "assigned_to": snID(Dev), "requested_by": snID(Dev),
					"assignment_group": snID(SNPlatform), "cmdb_ci": snID(AppHost), "opened_at": at(74 * time.Hour)},
			},
			"sysapproval_approver": {
				{"sys_id": snID("approval:" + SNChange), "approver": snID(Lena), "sysapproval": snID(SNChange), "state": "approved"},
				{"sys_id": snID("approval:" + SNScheduledChange), "approver": snID(Lena), "sysapproval": snID(SNScheduledChange), "state": "approved"},
			},
			"incident": {
				{"sys_id": snID(SNIncident), "number": SNIncident, "short_description": "Checkout payments failing intermittently",
					"priority": "2", "impact": "2", "urgency": "2", "state": "2", "active": "true", "opened_at": at(SNIncidentAt),
					"business_service": snID(SNCheckout), "assignment_group": snID(SNSupportGrp), "assigned_to": snID(Sam)},
				{"sys_id": snID("INC0011988"), "number": "INC0011988", "short_description": "Checkout confirmation emails delayed",
					"priority": "4", "impact": "3", "urgency": "3", "state": "6", "active": "false", "opened_at": at(30 * time.Hour),
					"resolved_at": at(28 * time.Hour), "business_service": snID(SNCheckout), "assignment_group": snID(SNSupportGrp)},
			},
		},
		OnCall: map[string][]snfake.OnCall{
			snID(SNSupportGrp): {{UserID: snID(Sam), Group: snID(SNSupportGrp), Rota: snID("rota:checkout-support"),
				Roster: snID("roster:checkout-support-primary"), Order: 1}},
			snID("Database Operations"): {{UserID: snID(Priya), Group: snID("Database Operations"), Rota: snID("rota:dba"),
				Roster: snID("roster:dba-primary"), Order: 1}},
			snID(SNStoreGrp): {{UserID: snID(Aiko), Group: snID(SNStoreGrp), Rota: snID("rota:storefront-support"),
				Roster: snID("roster:storefront-support-primary"), Order: 1}},
			snID(SNPlatform): {{UserID: snID(Dev), Group: snID(SNPlatform), Rota: snID("rota:platform-ops"),
				Roster: snID("roster:platform-ops-primary"), Order: 1}},
		},
	}
}
