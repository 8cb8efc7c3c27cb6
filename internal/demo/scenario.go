package demo

import (
	"io/fs"
	"time"

	"github.com/opsctx/opsctx/internal/demo/catalog"
)

// Scenario is the demo incident, defined once in vendor-neutral terms. Each vendor's demo
// file (servicenow.go, pagerduty.go, ...) renders the facts it owns into its fake's data,
// in that vendor's real API shapes. Times are offsets before T0, the moment the demo starts.
//
// The story: at T0-31m Priya Nair raised the orders-db statement timeout (CHG0030017). At
// T0-22m Dynatrace opened P-2311: checkout p95 latency up 4x for 38% of users, root cause
// orders-db. PagerDuty paged Sam Okafor (checkout L1) at T0-20m; if unresolved the page
// escalates to Lena Fischer (L2) 30 minutes after the incident started, i.e. in 10 minutes.
// ServiceNow has INC0012345 for checkout; Opsgenie and Alertmanager carry the loud alerts.
// orders-db is the platform team's: ServiceNow names Priya Nair on call for its support group,
// so the answer on checkout names who can act on the cause, not only who owns the symptom.
// Search has a loud alert that touches no user-facing SLO.
//
// What comes next: Sam's L1 shift ends at T0+25m and Kofi Mensah takes over (PagerDuty,
// Opsgenie and JSM agree). Cart is mid-migration of its session store: Aiko silenced
// CartLatencyHigh and PagerDuty holds Cart in maintenance, both until T0+20m, when the
// firing alert will notify again. Order-queue's lag alert is pending and fires at T0+4m.
// ServiceNow has CHG0030020, an orders-db failover test, scheduled to start at T0+45m.
//
// Below the application: at T0-50m Dev Patel began the monthly OS patching and reboot of
// the Linux server app-prod-07 (CHG0030021, on the server CI; the platform team "Platform
// Operations" owns the server and has its own on-call, Dev Patel). Recommendations and
// inventory run on it (ServiceNow "Runs on::Runs", Dynatrace process groups on the host).
// From T0-38m the node exporter's NodeHighLoad alert fires with
// instance="app-prod-07.shop.example:9100" (no service label); from T0-34m
// recommendations' own latency alert fires. Each source names the host its own way:
// ServiceNow by short name and FQDN, Dynatrace by FQDN and address, the alert with a port.
type Scenario struct {
	T0 time.Time
	// Edit, when set, may change each vendor's data before its fake starts: it gets the
	// source name and a pointer to the data the starter built (*dtfake.Data, *pdfake.Data,
	// *snfake.Data, ...). Scenario tests use it to tell variations of the story.
	Edit func(source string, data any)
	// ExtraCatalog are more catalog-info.yaml documents, served by catalog files and Backstage.
	ExtraCatalog string
	// ConsumerFails adds a second story: cart fails on its own (its 5xx rate is up after
	// its own deploy), while session-cache, the dependency cart uses, is healthy. An answer
	// about session-cache must say it is fine and show cart's alert only under "consumer
	// cart"; an answer about cart must show session-cache healthy and no other team as the
	// cause.
	ConsumerFails bool
}

func (s Scenario) edit(source string, data any) {
	if s.Edit != nil {
		s.Edit(source, data)
	}
}

// CatalogFS is the demo catalog plus the scenario's extra documents.
func (s Scenario) CatalogFS() fs.FS {
	if s.ExtraCatalog == "" {
		return catalog.FS
	}
	return overlay{FS: catalog.FS, name: "zz-scenario.yaml", data: []byte(s.ExtraCatalog)}
}

// At returns T0 minus the offset.
func (s Scenario) At(before time.Duration) time.Time {
	return s.T0.Add(-before).UTC().Truncate(time.Second)
}

// Well-known identities of the demo, shared by every vendor's demo data and by tests.
const (
	// Catalog names (Backstage metadata.name).
	Checkout     = "checkout"
	Payments     = "payments"
	Cart         = "cart"
	Inventory    = "inventory"
	SessionCache = "session-cache"
	Search       = "search"
	Storefront   = "storefront"
	OrdersDB     = "orders-db"
	PaymentsDB   = "payments-db"
	OrderQueue   = "order-queue"
	Recs         = "recommendations"

	// PagerDuty ids (catalog annotation pagerduty.com/service-id).
	PDCheckout   = "PCHKOUT"
	PDPayments   = "PPAYMNT"
	PDCart       = "PCART01"
	PDStorefront = "PSTORE1"
	PDPolicy     = "PCHKESC" // checkout escalation policy
	PDIncidentID = "Q1CHK7LATENCY"
	PDIncidentNo = 4711

	// Dynatrace entity ids (catalog annotation dynatrace.com/dynatrace-entity-id).
	DTCheckout   = "SERVICE-5B2C1A9F0D3E7781"
	DTPayments   = "SERVICE-9A4E2B7C1D0F3356"
	DTCart       = "SERVICE-1F7D3C5A9B2E4460"
	DTInventory  = "SERVICE-7C3A9E1B5D2F0044"
	DTOrdersDB   = "SERVICE-0D8E4A2C6B1F9925"
	DTFraudCheck = "SERVICE-3E9B7D1F5A2C6618" // measured in telemetry, missing from the catalog (drift)
	DTRecs       = "SERVICE-4D6F8A2C0E1B3357"
	DTAppHost    = "HOST-6A1C3E5B7D9F0127" // app-prod-07 as Dynatrace sees it
	DTProblemID  = "-5723950718830532608_1732600000000V2"
	DTDisplayID  = "P-2311"

	// ServiceNow CI names (catalog annotation servicenow.com/ci-name) and records.
	SNCheckout   = "Checkout Service"
	SNPayments   = "Payments Service"
	SNOrdersDB   = "orders-db-prod"
	SNChange     = "CHG0030017"
	SNIncident   = "INC0012345"
	SNSupportGrp = "Checkout Support" // CMDB owner group: disagrees with Backstage's team-checkout on purpose
	SNRecs       = "Recommendations Service"
	SNPatch      = "CHG0030021"          // the OS patch and reboot of app-prod-07
	SNPlatform   = "Platform Operations" // owns the servers, with its own on-call
	SNStoreGrp   = "Storefront Support"

	// The server under recommendations and inventory, as each source names it.
	AppHost     = "app-prod-07"
	AppHostFQDN = "app-prod-07.shop.example"
	AppHostIP   = "10.20.7.17"

	// Opsgenie.
	OGTeam     = "checkout"
	OGSchedule = "checkout_schedule"
	OGTinyID   = "1042"
	OGAlias    = "checkout-5xx-rate"

	// People.
	Sam   = "Sam Okafor"
	Lena  = "Lena Fischer"
	Priya = "Priya Nair"
	Marco = "Marco Rossi"
	Kofi  = "Kofi Mensah"
	Dev   = "Dev Patel"
	Aiko  = "Aiko Tanaka"

	// SNScheduledChange is the change scheduled on orders-db after T0.
	SNScheduledChange = "CHG0030020"
	// CartSilenced is the alert silenced during cart's session store migration.
	CartSilenced = "CartLatencyHigh"
	// PendingAlert is order-queue's alert about to fire.
	PendingAlert = "OrderQueueLagHigh"
)

// Moments after T0 (what the answer looks ahead to).
const (
	ShiftEndsIn       = 25 * time.Minute // Sam's L1 shift ends; Kofi takes over
	SilenceEndsIn     = 20 * time.Minute // cart's silence and maintenance window end
	PendingFiresIn    = 4 * time.Minute  // order-queue's pending alert fires
	ScheduledChangeIn = 45 * time.Minute // CHG0030020 starts
)

// Offsets of the story's events before T0.
const (
	ChangeAt       = 31 * time.Minute // CHG0030017 starts (the culprit)
	ProblemAt      = 22 * time.Minute // P-2311 opens
	IncidentAt     = 20 * time.Minute // PagerDuty incident 4711 triggers, Sam paged
	SNIncidentAt   = 15 * time.Minute // INC0012345 opened
	OpsgenieAt     = 18 * time.Minute // Opsgenie alert 1042
	DeployAt       = 3 * time.Hour    // checkout v2.14.0 deploy (innocent)
	PaymentsFlagAt = 50 * time.Minute // PagerDuty change event on payments (innocent)
	InventoryAt    = 45 * time.Minute // inventory deploy with no change record
	EscalateAfter  = 30               // minutes from incident start until L2
	CartFailingAt  = 12 * time.Minute // cart's 5xx alert fires (ConsumerFails)
	PatchAt        = 50 * time.Minute // CHG0030021: app-prod-07 patched and rebooted
	NodeAlertAt    = 38 * time.Minute // NodeHighLoad on app-prod-07 fires
	RecsAlertAt    = 34 * time.Minute // recommendations' latency alert fires
)

// Email returns the demo address of a person ("Sam Okafor" -> sam.okafor@shop.example).
func Email(name string) string {
	b := []byte{}
	for _, r := range name {
		switch {
		case r == ' ':
			b = append(b, '.')
		case r >= 'A' && r <= 'Z':
			b = append(b, byte(r-'A'+'a'))
		default:
			b = append(b, string(r)...)
		}
	}
	return string(b) + "@shop.example"
}
