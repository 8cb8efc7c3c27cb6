package transport

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestScreen: which oversized messages the guard answers, and how; the rest go to mcp-go.
func TestScreen(t *testing.T) {
	pad := strings.Repeat("x", MaxMessageBytes)
	tests := []struct {
		name, msg string
		status    int    // 0: passed on to mcp-go
		want      string // in the reply
	}{
		{"within the limit", `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"who_owns","arguments":{"service":"` + pad[:1000] + `"}}}`, 0, ""},
		{"tools/call", `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"who_owns","arguments":{"service":"` + pad + `"}}}`,
			http.StatusOK, `"id":1,"result":{"content":[{"type":"text","text":"service is too long (131072 bytes; the limit is 256 characters): \"xxxx`},
		{"names as encoding/json matches them", `{"JSONRPC":"2.0","ID":"a","Method":"tools/call","Params":{"Arguments":{"query":"` + pad + `"}}}`,
			http.StatusOK, `"id":"a","result":{"content":[{"type":"text","text":"query is too long (131072 bytes`},
		{"the last of duplicate names", `{"jsonrpc":"2.0","id":1,"method":"ping","method":"tools/call","id":2,"params":{"arguments":{"service":"` + pad + `"}}}`,
			http.StatusOK, `"id":2,"result"`},
		{"an argument name past its limit", `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"arguments":{"` + pad + `":1}}}`,
			http.StatusOK, `argument name \"xxxx`},
		{"the largest argument an escaped string", `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"arguments":{"team":"` + strings.Repeat(`\u00e9`, MaxMessageBytes/6) + `"}}}`,
			http.StatusOK, `team is too long (43690 bytes; the limit is 256 characters): \"ééé`},
		{"the largest argument a list", `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"arguments":{"environment":["` + pad + `"]}}}`,
			http.StatusOK, `the request is too long (`},
		{"another method", `{"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"uri":"opsctx://service/` + pad + `"}}`,
			http.StatusBadRequest, `"id":1,"error":{"code":-32600,"message":"Invalid Request: the request is too long (`},
		{"another JSON-RPC version", `{"jsonrpc":"1.0","id":1,"method":"tools/call","params":{"arguments":{"service":"` + pad + `"}}}`,
			http.StatusBadRequest, `"code":-32600`},
		{"no method", `{"jsonrpc":"2.0","id":1,"params":{"arguments":{"service":"` + pad + `"}}}`,
			http.StatusBadRequest, `"code":-32600`},
		{"an id that is an object", `{"jsonrpc":"2.0","id":{},"method":"tools/call","params":{"arguments":{"service":"` + pad + `"}}}`,
			http.StatusBadRequest, `"id":null,"error":{"code":-32600`},
		{"not an object", `"` + pad + `"`, http.StatusBadRequest, `"id":null,"error":{"code":-32600`},
		{"a notification", `{"jsonrpc":"2.0","method":"notifications/progress","params":{"message":"` + pad + `"}}`, http.StatusAccepted, ""},
		{"a notification with a null id", `{"jsonrpc":"2.0","id":null,"method":"tools/call","params":{"arguments":{"service":"` + pad + `"}}}`, http.StatusAccepted, ""},
		{"a response to a server request", `{"jsonrpc":"2.0","id":3,"result":{"content":{"type":"text","text":"` + pad + `"}}}`, 0, ""},
		{"an error response", `{"jsonrpc":"2.0","id":3,"error":{"code":1,"message":"` + pad + `"}}`, 0, ""},
		{"malformed", `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"arguments":{"service":"` + pad + `"}}`, 0, ""},
		{"data after the message", `{"jsonrpc":"2.0","id":1,"method":"ping","pad":"` + pad + `"} {}`, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := screen([]byte(tt.msg))
			if r == nil {
				if tt.status != 0 {
					t.Fatalf("passed on to mcp-go, want status %d", tt.status)
				}
				return
			}
			if r.status != tt.status || !strings.Contains(string(r.reply), tt.want) {
				t.Fatalf("status %d reply %.400s, want %d with %s", r.status, r.reply, tt.status, tt.want)
			}
			if r.reply != nil && (!json.Valid(r.reply) || len(r.reply) > 1<<10) {
				t.Errorf("reply of %d bytes: %.400s", len(r.reply), r.reply)
			}
			if (r.reply == nil) != (tt.status == http.StatusAccepted) {
				t.Errorf("a reply %q with status %d", r.reply, r.status)
			}
		})
	}
}

// BenchmarkScreen: the guard's cost on a 1 MB tools/call (the bench table times the whole
// call through the stdio transport).
func BenchmarkScreen(b *testing.B) {
	msg, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": "tools/call",
		"params": map[string]any{"name": "who_owns", "arguments": map[string]any{"service": strings.Repeat("x", 1_000_000)}}})
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		if r := screen(msg); r == nil || r.status != http.StatusOK {
			b.Fatal("not refused")
		}
	}
}
