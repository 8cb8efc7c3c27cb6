package servicenow

import "fmt"

// DependsOn is the display name of the base-system "Depends on::Used by" relationship type.
const DependsOn = "Depends on::Used by"

// Generate returns a large synthetic CMDB for scale tests: cis services (cmdb_ci_service,
// named "svc-00042"), rels distinct "Depends on::Used by" relations between them, groups
// support groups and users owners, assigned round-robin. It is deterministic.
func Generate(cis, rels, groups, users int) Data {
	d := Data{Tables: map[string][]Record{}}
	dep := SysID("cmdb_rel_type:" + DependsOn)
	d.Tables["cmdb_rel_type"] = []Record{{"sys_id": dep, "name": DependsOn}}
	for i := range groups {
		d.Tables["sys_user_group"] = append(d.Tables["sys_user_group"], Record{
			"sys_id": SysID(fmt.Sprint("group:", i)), "name": fmt.Sprintf("Support %03d", i),
			"email": fmt.Sprintf("support-%03d@example.com", i), "active": "true"})
	}
	for i := range users {
		d.Tables["sys_user"] = append(d.Tables["sys_user"], Record{
			"sys_id": SysID(fmt.Sprint("user:", i)), "name": fmt.Sprintf("User %04d", i),
			"user_name": fmt.Sprintf("user%04d", i), "email": fmt.Sprintf("user%04d@example.com", i)})
	}
	ci := func(i int) string { return SysID(fmt.Sprint("ci:", i)) }
	for i := range cis {
		r := Record{"sys_id": ci(i), "name": fmt.Sprintf("svc-%05d", i), "sys_class_name": "cmdb_ci_service",
			"operational_status": "1", "used_for": "Production"}
		if groups > 0 {
			r["support_group"] = SysID(fmt.Sprint("group:", i%groups))
		}
		if users > 0 {
			r["owned_by"] = SysID(fmt.Sprint("user:", i%users))
		}
		d.Tables["cmdb_ci_service"] = append(d.Tables["cmdb_ci_service"], r)
	}
	// Relation k links parent k%cis to the CI 13*(1+k/cis) further on: distinct pairs while
	// 13*(rels/cis+1) < cis.
	for k := range rels {
		if cis < 2 {
			break
		}
		p := k % cis
		c := (p + 13*(1+k/cis)) % cis
		if c == p {
			c = (p + 1) % cis
		}
		d.Tables["cmdb_rel_ci"] = append(d.Tables["cmdb_rel_ci"], Record{
			"sys_id": SysID(fmt.Sprint("rel:", k)), "parent": ci(p), "child": ci(c), "type": dep})
	}
	return d
}
