package demo

import (
	"time"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/internal/fake"
	jsmfake "github.com/opsctx/opsctx/internal/fake/jsm"
)

// The demo's JSM Operations account and site.
const (
	jsmEmail = "opsctx@shop.example"
	jsmToken = "demo-jsm-token"
	JSMCloud = "5e6a9c1d-2f3b-4a7c-9d8e-0f1a2b3c4d5e"
	// JSMTinyID is the tiny id of checkout's 5xx alert in JSM (Opsgenie's is OGTinyID).
	JSMTinyID = "87"
)

func init() { register(config.SourceJSM, startJSM) }

func startJSM(s Scenario, cfg *config.Config) (*fake.Server, error) {
	data := jsmData(s, time.Now())
	s.edit(config.SourceJSM, &data)
	srv := jsmfake.Start(data, jsmEmail, jsmToken)
	cfg.Sources.JSM = []*config.JSM{{SiteURL: srv.URL, CloudID: JSMCloud, URL: srv.URL, Email: jsmEmail, APIToken: jsmToken}}
	return srv, nil
}

// JSM Operations ids of the demo's team, schedule, escalation and people (Atlassian
// account ids).
const (
	jsmTeamID     = "9b1c7d2e-4f6a-4b3c-8d9e-1a2b3c4d5e6f"
	jsmScheduleID = "4d2e8f1a-6b3c-4e5d-9f0a-2b3c4d5e6f70"
	jsmEscID      = "7f3a1b2c-8d4e-4f6a-b0c1-d2e3f4a5b6c7"
	jsmSamID      = "712020:5b10ac8d-82e0-4b22-8c7d-4ef5a1b2c3d4"
	jsmLenaID     = "712020:6c21bd9e-93f1-4c33-9d8e-5f06b2c3d4e5"
	jsmKofiID     = "712020:7d32ce0f-a402-4d44-8e9f-6a17c3d4e5f6"
)

// jsmData renders the scenario in JSM Operations' shapes: team checkout is moving from
// Opsgenie to JSM Operations, so JSM has the same team, its schedule with Sam on call until
// his shift ends in 25 minutes (then Kofi), its escalation (schedule at once, Lena after 30 min) and the
// open 5xx alert under the same alias as Opsgenie's (a new tiny id). People are Atlassian
// accounts named, with their e-mails, by the site's users listing.
func jsmData(s Scenario, started time.Time) jsmfake.Data {
	ts := func(before time.Duration) string { return s.At(before).Format(time.RFC3339) }
	user := func(id string) jsmfake.Responder { return jsmfake.Responder{ID: id, Type: "user"} }
	return jsmfake.Data{
		CloudID: JSMCloud,
		Now:     func() time.Time { return s.T0.Add(time.Since(started)) },
		Teams:   []jsmfake.Team{{TeamID: jsmTeamID, TeamName: OGTeam}},
		Schedules: []jsmfake.Schedule{{ID: jsmScheduleID, Name: OGSchedule, Description: "Checkout primary on-call",
			Timezone: "Europe/London", Enabled: true, TeamID: jsmTeamID}},
		OnCall: map[string][]jsmfake.Participant{jsmScheduleID: {{ID: jsmSamID, Type: "user"}}},
		Rotations: map[string][]jsmfake.Rotation{jsmScheduleID: {{ID: "0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f", Name: "Primary", Periods: []jsmfake.Period{
			{StartDate: ts(20 * time.Hour), EndDate: ts(-ShiftEndsIn), Type: "base", Responder: user(jsmSamID)},
			{StartDate: ts(-ShiftEndsIn), EndDate: ts(-ShiftEndsIn - 24*time.Hour), Type: "base", Responder: user(jsmKofiID)},
		}}}},
		Escalations: map[string][]jsmfake.Escalation{jsmTeamID: {{ID: jsmEscID, Name: "checkout_escalation", Enabled: true, Rules: []jsmfake.EscalationRule{
			{Condition: "if-not-acked", NotifyType: "default", Delay: jsmfake.Delay{TimeAmount: 0, TimeUnit: "minutes"},
				Recipient: jsmfake.Responder{ID: jsmScheduleID, Type: "schedule"}},
			{Condition: "if-not-acked", NotifyType: "default", Delay: jsmfake.Delay{TimeAmount: EscalateAfter, TimeUnit: "minutes"}, Recipient: user(jsmLenaID)},
		}}}},
		Users: []jsmfake.User{
			{AccountID: jsmSamID, AccountType: "atlassian", DisplayName: Sam, EmailAddress: Email(Sam), Active: true, TimeZone: "Europe/London"},
			{AccountID: jsmLenaID, AccountType: "atlassian", DisplayName: Lena, EmailAddress: Email(Lena), Active: true, TimeZone: "Europe/Berlin"},
			{AccountID: jsmKofiID, AccountType: "atlassian", DisplayName: Kofi, EmailAddress: Email(Kofi), Active: true, TimeZone: "Africa/Accra"},
			{AccountID: "557058:f58131cb-b67d-43c7-b30d-6b58d40bd077", AccountType: "app", DisplayName: "Automation for Jira", Active: true},
		},
		Alerts: []jsmfake.Alert{{ID: "b3e1c5d7-29f4-4a6b-8c0d-1e2f3a4b5c6d-1732600000000", TinyID: JSMTinyID, Alias: OGAlias,
			Message: "checkout 5xx rate above 2%", Status: "open", Tags: []string{"service:" + Checkout, "env:prod"}, Count: 3,
			LastOccurredAt: ts(2 * time.Minute), CreatedAt: ts(OpsgenieAt), UpdatedAt: ts(2 * time.Minute), Source: "prometheus",
			Priority: "P2", Responders: []jsmfake.Responder{{ID: jsmTeamID, Type: "team"}}, IntegrationType: "Prometheus",
			IntegrationName: "Prometheus", Entity: Checkout, Description: "HTTP 5xx ratio on checkout above 2% for 5 minutes.",
			Actions: []string{}, ExtraProperties: map[string]string{"runbook": "https://runbooks.shop.example/checkout"}}},
	}
}
