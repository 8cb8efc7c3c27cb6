package dynatrace

import (
	"net/http"
	"slices"
	"strings"
	"unicode"
)

// sloLimits: 10 SLOs per page by default, at most 10000, and at most 25 with evaluate=true.
var sloLimits = limits{endpoint: "slo", defaultSize: 10, maxSize: 10000}

// maxEvaluatedPageSize is the API's page-size limit when evaluate=true.
const maxEvaluatedPageSize = 25

// SLOBurnRate is the spec's SloBurnRate: the error-budget burn over the last hour.
type SLOBurnRate struct {
	BurnRateVisualizationEnabled      bool     `json:"burnRateVisualizationEnabled"`
	BurnRateType                      string   `json:"burnRateType,omitempty"` // FAST, SLOW, NONE
	BurnRateValue                     *float64 `json:"burnRateValue,omitempty"`
	FastBurnThreshold                 *float64 `json:"fastBurnThreshold,omitempty"`
	SLOValue                          *float64 `json:"sloValue,omitempty"`
	EstimatedTimeToConsumeErrorBudget *float64 `json:"estimatedTimeToConsumeErrorBudget,omitempty"`
}

// SLO is the spec's SLO with the values an evaluation returns. The fake answers
// evaluate=false with evaluatedPercentage and errorBudget at -1, error NONE and no burn-rate
// values, as the API documents; empty metric keys are derived from the name.
type SLO struct {
	ID                             string      `json:"id"`
	Name                           string      `json:"name"`
	Description                    string      `json:"description,omitempty"`
	Enabled                        bool        `json:"enabled"`
	Target                         float64     `json:"target"`
	Warning                        float64     `json:"warning"`
	Timeframe                      string      `json:"timeframe"`
	Filter                         string      `json:"filter"`
	MetricExpression               string      `json:"metricExpression"`
	EvaluationType                 string      `json:"evaluationType"`
	EvaluatedPercentage            float64     `json:"evaluatedPercentage"`
	ErrorBudget                    float64     `json:"errorBudget"`
	Status                         string      `json:"status"` // SUCCESS, WARNING, FAILURE
	Error                          string      `json:"error"`
	ErrorBudgetBurnRate            SLOBurnRate `json:"errorBudgetBurnRate"`
	MetricKey                      string      `json:"metricKey"`
	BurnRateMetricKey              string      `json:"burnRateMetricKey"`
	ErrorBudgetMetricKey           string      `json:"errorBudgetMetricKey"`
	NormalizedErrorBudgetMetricKey string      `json:"normalizedErrorBudgetMetricKey"`
}

func (s *Server) slos(w http.ResponseWriter, r *http.Request) {
	q, offset, size, ok := s.pageRequest(w, r, sloLimits)
	if !ok {
		return
	}
	evaluate := q.Get("evaluate")
	switch evaluate {
	case "", "false":
		evaluate = "false"
	case "true":
		if size > maxEvaluatedPageSize {
			badParam(w, "pageSize", "must be at most %d with evaluate=true", maxEvaluatedPageSize)
			return
		}
	default:
		badParam(w, "evaluate", "must be true or false")
		return
	}
	switch q.Get("timeFrame") {
	case "", "CURRENT":
	case "GTF":
		if _, _, ok := s.window(w, q, 0); !ok {
			return
		}
	default:
		badParam(w, "timeFrame", "must be CURRENT or GTF")
		return
	}
	enabled := q.Get("enabledSlos")
	if enabled == "" {
		enabled = "true"
	}
	if enabled != "true" && enabled != "false" && enabled != "all" {
		badParam(w, "enabledSlos", "must be true, false or all")
		return
	}
	match, ok := sloMatcher(w, q.Get("sloSelector"))
	if !ok {
		return
	}
	xs := slices.Clone(s.snapshot().SLOs)
	switch q.Get("sort") {
	case "", "name":
		slices.SortStableFunc(xs, func(a, b SLO) int { return strings.Compare(a.Name, b.Name) })
	case "-name":
		slices.SortStableFunc(xs, func(a, b SLO) int { return strings.Compare(b.Name, a.Name) })
	default:
		badParam(w, "sort", "must be name or -name")
		return
	}
	var items []any
	for _, x := range xs {
		if (enabled == "all" || (enabled == "true") == x.Enabled) && match(x) {
			items = append(items, renderSLO(x, evaluate == "true"))
		}
	}
	writeJSON(w, http.StatusOK, s.envelope(sloLimits, q, "slo", nonNil(items), offset, size))
}

// sloMatcher builds the filter of an sloSelector: id(...), name(...) (case-sensitive),
// text(...) (name or description, case-insensitive), managementZone and healthState are
// not modelled and answer 400 like any unknown criterion.
func sloMatcher(w http.ResponseWriter, sel string) (func(SLO) bool, bool) {
	crits, err := parseSelector(sel)
	if err != nil {
		badParam(w, "sloSelector", "%v", err)
		return nil, false
	}
	var preds []func(SLO) bool
	for _, c := range crits {
		vals := c.values
		switch c.name {
		case "id":
			preds = append(preds, func(x SLO) bool { return anyIn([]string{x.ID}, vals) })
		case "name":
			preds = append(preds, func(x SLO) bool { return anyIn([]string{x.Name}, vals) })
		case "text":
			preds = append(preds, func(x SLO) bool {
				for _, v := range vals {
					v = strings.ToLower(v)
					if strings.Contains(strings.ToLower(x.Name), v) || strings.Contains(strings.ToLower(x.Description), v) {
						return true
					}
				}
				return false
			})
		default:
			badParam(w, "sloSelector", "unknown criterion %q", c.name)
			return nil, false
		}
	}
	return func(x SLO) bool {
		for _, p := range preds {
			if !p(x) {
				return false
			}
		}
		return true
	}, true
}

// renderSLO fills the derived fields and, without evaluation, blanks the evaluated ones.
func renderSLO(x SLO, evaluated bool) SLO {
	key := metricKeyName(x.Name)
	def := func(p *string, v string) {
		if *p == "" {
			*p = v
		}
	}
	def(&x.MetricKey, "func:slo."+key)
	def(&x.BurnRateMetricKey, "func:slo.errorBudgetBurnRate."+key)
	def(&x.ErrorBudgetMetricKey, "func:slo.errorBudget."+key)
	def(&x.NormalizedErrorBudgetMetricKey, "func:slo.normalizedErrorBudget."+key)
	def(&x.EvaluationType, "AGGREGATE")
	def(&x.Error, "NONE")
	def(&x.Status, "SUCCESS")
	if !evaluated {
		x.EvaluatedPercentage, x.ErrorBudget, x.Error = -1, -1, "NONE"
		x.ErrorBudgetBurnRate = SLOBurnRate{BurnRateVisualizationEnabled: x.ErrorBudgetBurnRate.BurnRateVisualizationEnabled}
	}
	return x
}

// metricKeyName turns an SLO name into the suffix of its func: metric keys.
func metricKeyName(name string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return '_'
	}, name)
}
