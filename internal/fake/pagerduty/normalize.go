package pagerduty

import (
	"fmt"
	"strings"
)

// normalize fills the server-generated fields the data leaves empty (type, summary,
// html_url), as PagerDuty would.
func normalize(d Data) Data {
	web := strings.TrimSuffix(d.WebURL, "/")
	ref := func(r *Ref, typ, path string) {
		if r.ID == "" {
			return
		}
		if r.Type == "" {
			r.Type = typ
		}
		if r.HTMLURL == "" && path != "" {
			r.HTMLURL = web + path + r.ID
		}
	}
	refs := func(rs []Ref, typ, path string) []Ref {
		out := make([]Ref, len(rs))
		copy(out, rs)
		for i := range out {
			ref(&out[i], typ, path)
		}
		return out
	}
	orEmpty := func(rs []Ref) []Ref {
		if rs == nil {
			return []Ref{}
		}
		return rs
	}
	services := make([]Service, len(d.Services))
	for i, s := range d.Services {
		s.Type, s.Summary = "service", s.Name
		if s.HTMLURL == "" {
			s.HTMLURL = web + "/service-directory/" + s.ID
		}
		if s.Status == "" {
			s.Status = "active"
		}
		ref(&s.EscalationPolicy, "escalation_policy_reference", "/escalation_policies/")
		s.Teams = orEmpty(refs(s.Teams, "team_reference", "/teams/"))
		services[i] = s
	}
	d.Services = services
	incidents := make([]Incident, len(d.Incidents))
	for i, in := range d.Incidents {
		in.Type = "incident"
		in.Summary = fmt.Sprintf("[#%d] %s", in.IncidentNumber, in.Title)
		if in.HTMLURL == "" {
			in.HTMLURL = web + "/incidents/" + in.ID
		}
		if in.UpdatedAt == "" {
			in.UpdatedAt = in.CreatedAt
		}
		if in.LastStatusChangeAt == "" {
			in.LastStatusChangeAt = in.UpdatedAt
		}
		ref(&in.Service, "service_reference", "/service-directory/")
		if in.EscalationPolicy != nil {
			ep := *in.EscalationPolicy
			ref(&ep, "escalation_policy_reference", "/escalation_policies/")
			in.EscalationPolicy = &ep
		}
		as := make([]Assignment, len(in.Assignments))
		for j, a := range in.Assignments {
			ref(&a.Assignee, "user_reference", "/users/")
			as[j] = a
		}
		in.Assignments = as
		in.Teams = orEmpty(refs(in.Teams, "team_reference", "/teams/"))
		acks := []Acknowledgement{} // listed only while the incident is acknowledged
		if in.Status == "acknowledged" {
			for _, a := range in.Acknowledgements {
				ref(&a.Acknowledger, "user_reference", "/users/")
				acks = append(acks, a)
			}
		}
		in.Acknowledgements = acks
		if in.Priority != nil {
			p := *in.Priority
			p.Type, p.Summary = "priority", p.Name
			in.Priority = &p
		}
		incidents[i] = in
	}
	d.Incidents = incidents
	windows := make([]MaintenanceWindow, len(d.MaintenanceWindows))
	for i, m := range d.MaintenanceWindows {
		m.Type, m.Summary, m.SequenceNumber = "maintenance_window", m.Description, i+1
		if m.HTMLURL == "" {
			m.HTMLURL = web + "/service-directory/maintenance-windows/" + m.ID
		}
		if m.CreatedBy != nil {
			c := *m.CreatedBy
			ref(&c, "user_reference", "/users/")
			m.CreatedBy = &c
		}
		m.Services = orEmpty(refs(m.Services, "service_reference", "/service-directory/"))
		m.Teams = orEmpty(refs(m.Teams, "team_reference", "/teams/"))
		windows[i] = m
	}
	d.MaintenanceWindows = windows
	alerts := make([]Alert, len(d.Alerts))
	for i, a := range d.Alerts {
		a.Type = "alert"
		if a.HTMLURL == "" {
			a.HTMLURL = web + "/alerts/" + a.ID
		}
		ref(&a.Service, "service_reference", "/service-directory/")
		ref(&a.Incident, "incident_reference", "/incidents/")
		a.Body.Type = "alert_body"
		if a.Body.Contexts == nil {
			a.Body.Contexts = []Context{}
		}
		alerts[i] = a
	}
	d.Alerts = alerts
	users := make([]User, len(d.Users))
	for i, u := range d.Users {
		u.Type, u.Summary = "user", u.Name
		if u.HTMLURL == "" {
			u.HTMLURL = web + "/users/" + u.ID
		}
		users[i] = u
	}
	d.Users = users
	oncalls := make([]OnCall, len(d.OnCalls))
	for i, o := range d.OnCalls {
		ref(&o.User, "user_reference", "/users/")
		ref(&o.EscalationPolicy, "escalation_policy_reference", "/escalation_policies/")
		if o.Schedule != nil {
			s := *o.Schedule
			ref(&s, "schedule_reference", "/schedules/")
			o.Schedule = &s
		}
		oncalls[i] = o
	}
	d.OnCalls = oncalls
	policies := make([]EscalationPolicy, len(d.Policies))
	for i, p := range d.Policies {
		p.Type, p.Summary = "escalation_policy", p.Name
		if p.HTMLURL == "" {
			p.HTMLURL = web + "/escalation_policies/" + p.ID
		}
		rules := make([]EscalationRule, len(p.EscalationRules))
		for j, rule := range p.EscalationRules {
			rule.Targets = refs(rule.Targets, "user_reference", "")
			for k := range rule.Targets {
				path := "/users/"
				if strings.HasPrefix(rule.Targets[k].Type, "schedule") {
					path = "/schedules/"
				}
				if rule.Targets[k].HTMLURL == "" {
					rule.Targets[k].HTMLURL = web + path + rule.Targets[k].ID
				}
			}
			rules[j] = rule
		}
		p.EscalationRules = rules
		p.Services = orEmpty(refs(p.Services, "service_reference", "/service-directory/"))
		p.Teams = orEmpty(refs(p.Teams, "team_reference", "/teams/"))
		policies[i] = p
	}
	d.Policies = policies
	changes := make([]ChangeEvent, len(d.ChangeEvents))
	for i, c := range d.ChangeEvents {
		c.Type = "change_event"
		c.Services = orEmpty(refs(c.Services, "service_reference", "/service-directory/"))
		if c.Integration != nil {
			in := *c.Integration
			ref(&in, "inbound_integration_reference", "")
			c.Integration = &in
		}
		if c.Links == nil {
			c.Links = []Link{}
		}
		changes[i] = c
	}
	d.ChangeEvents = changes
	rels := make([]Relationship, len(d.Relationships))
	for i, r := range d.Relationships {
		r.Type = "service_dependency"
		ref(&r.SupportingService, "technical_service_reference", "")
		ref(&r.DependentService, "technical_service_reference", "")
		rels[i] = r
	}
	d.Relationships = rels
	return d
}
