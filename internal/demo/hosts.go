package demo

import (
	"fmt"
	"strings"

	"github.com/opsctx/opsctx/config"
	dtfake "github.com/opsctx/opsctx/internal/fake/dynatrace"
	snfake "github.com/opsctx/opsctx/internal/fake/servicenow"
)

// SpreadRecommendations returns a Scenario.Edit that runs recommendations on n servers:
// app-prod-07 and n-1 more (app-prod-51, app-prod-52, ...), each declared in ServiceNow
// ("Runs on::Runs", support group Platform Operations) and seen by Dynatrace under the
// service's process group. The benchmark measures an answer on several hosts with it.
func SpreadRecommendations(n int) func(source string, data any) {
	return func(source string, data any) {
		for i := 1; i < n; i++ {
			name := fmt.Sprintf("app-prod-%02d", 50+i)
			fqdn, ip, dtID := name+".shop.example", fmt.Sprintf("10.20.7.%d", 50+i), fmt.Sprintf("HOST-6A1C3E5B7D9F%04d", 50+i)
			switch d := data.(type) {
			case *snfake.Data:
				if source != config.SourceServiceNow {
					continue
				}
				d.Tables["cmdb_ci_linux_server"] = append(d.Tables["cmdb_ci_linux_server"], snfake.Record{"sys_id": snID(name), "name": name,
					"fqdn": fqdn, "host_name": name, "ip_address": ip, "operational_status": "1", "support_group": snID(SNPlatform)})
				d.Tables["cmdb_rel_ci"] = append(d.Tables["cmdb_rel_ci"], snfake.Record{"sys_id": snID("rel:recs-" + name),
					"parent": snID(SNRecs), "child": snID(name), "type": snID("type:runs-on")})
			case *dtfake.Data:
				if source != config.SourceDynatrace {
					continue
				}
				for j, e := range d.Entities {
					if e.Type == "PROCESS_GROUP" && strings.HasPrefix(e.DisplayName, Recs+" ") {
						d.Entities[j].FromRelationships["runsOn"] = append(d.Entities[j].FromRelationships["runsOn"], dtfake.EntityID{ID: dtID, Type: "HOST"})
					}
				}
				d.Entities = append(d.Entities, dtfake.Entity{EntityID: dtID, Type: "HOST", DisplayName: fqdn,
					Properties:        map[string]any{"ipAddress": []any{ip}, "osType": "LINUX"},
					FromRelationships: map[string][]dtfake.EntityID{}, ToRelationships: map[string][]dtfake.EntityID{}})
			}
		}
	}
}
