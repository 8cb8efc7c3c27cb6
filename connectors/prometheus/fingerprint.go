package prometheus

import "github.com/opsctx/opsctx/internal/model"

// Fingerprint is the fingerprint Alertmanager gives an alert with these labels, so the same
// alert read from Prometheus and from Alertmanager shares one DedupKey.
func Fingerprint(labels map[string]string) string { return model.LabelsFingerprint(labels) }
