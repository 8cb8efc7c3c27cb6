package tools

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/opsctx/opsctx/internal/engine"
)

// TestTextOnlyForm: with TextOnly, tools/list declares no output schema and a call answers
// with the markdown alone; the default form keeps both.
func TestTextOnlyForm(t *testing.T) {
	for _, textOnly := range []bool{false, true} {
		s := NewServer(Deps{Engine: engine.New(engine.Options{}), TextOnly: textOnly}, "test")
		raw, _ := json.Marshal(s.HandleMessage(context.Background(), []byte(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`)))
		var list struct {
			Result struct {
				Tools []struct {
					Name         string          `json:"name"`
					OutputSchema json.RawMessage `json:"outputSchema"`
				} `json:"tools"`
			} `json:"result"`
		}
		if err := json.Unmarshal(raw, &list); err != nil || len(list.Result.Tools) != 7 {
			t.Fatalf("tools/list: %v %s", err, raw)
		}
		for _, tool := range list.Result.Tools {
			if (len(tool.OutputSchema) == 0) != textOnly {
				t.Errorf("textOnly=%v: %s outputSchema %s", textOnly, tool.Name, tool.OutputSchema)
			}
		}
		raw, _ = json.Marshal(s.HandleMessage(context.Background(), []byte(`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"find_service","arguments":{"query":"checkout"}}}`)))
		var call struct {
			Result struct {
				Content []struct {
					Type string `json:"type"`
					Text string `json:"text"`
				} `json:"content"`
				Structured json.RawMessage `json:"structuredContent"`
				IsError    bool            `json:"isError"`
			} `json:"result"`
		}
		if err := json.Unmarshal(raw, &call); err != nil || call.Result.IsError || len(call.Result.Content) != 1 || call.Result.Content[0].Text == "" {
			t.Fatalf("textOnly=%v: tools/call: %v %s", textOnly, err, raw)
		}
		if (len(call.Result.Structured) == 0) != textOnly {
			t.Errorf("textOnly=%v: structuredContent %s", textOnly, call.Result.Structured)
		}
	}
}
