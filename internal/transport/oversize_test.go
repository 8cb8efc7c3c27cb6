package transport_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/opsctx/opsctx/internal/args"
	"github.com/opsctx/opsctx/internal/engine"
	opstransport "github.com/opsctx/opsctx/internal/transport"
	"github.com/opsctx/opsctx/tools"
)

// largestCall is the longest tools/call of the tool that args.CheckAll still accepts:
// every argument at its limit, every character written as JSON's longest escape (a
// surrogate pair, 12 bytes), every list at MaxItems, numbers at 17 digits.
func largestCall(t *testing.T, tool mcp.Tool) []byte {
	t.Helper()
	raw, _ := json.Marshal(tool)
	var schema struct {
		InputSchema struct {
			Properties map[string]json.RawMessage `json:"properties"`
		} `json:"inputSchema"`
	}
	if err := json.Unmarshal(raw, &schema); err != nil {
		t.Fatal(err)
	}
	names := make([]string, 0, len(schema.InputSchema.Properties))
	for name := range schema.InputSchema.Properties {
		names = append(names, name)
	}
	sort.Strings(names)
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"jsonrpc":"2.0","id":"%s","method":"tools/call","params":{"_meta":{"progressToken":"%s"},"name":%q,"arguments":{`,
		strings.Repeat("9", 36), strings.Repeat("9", 36), tool.Name)
	for i, name := range names {
		prop := string(schema.InputSchema.Properties[name])
		longest := `"` + strings.Repeat(`\ud83d\ude00`, args.Limit(name)) + `"`
		value := longest
		switch {
		case strings.Contains(prop, `"array"`):
			value = "[" + strings.TrimSuffix(strings.Repeat(longest+",", args.MaxItems), ",") + "]"
		case strings.Contains(prop, `"integer"`), strings.Contains(prop, `"number"`):
			value = "-9007199254740991"
		case strings.Contains(prop, `"boolean"`):
			value = "false"
		}
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%q:%s", name, value)
	}
	b.WriteString("}}}")
	return b.Bytes()
}

// TestMaxMessageBytesHoldsEveryCall: the largest call any tool accepts fits under
// MaxMessageBytes, so the guard never refuses a call the tool would answer.
func TestMaxMessageBytesHoldsEveryCall(t *testing.T) {
	longest := 0
	for _, st := range tools.Tools(tools.Deps{Engine: engine.New(engine.Options{})}) {
		msg := largestCall(t, st.Tool)
		var req struct {
			Params struct {
				Arguments map[string]any `json:"arguments"`
			} `json:"params"`
		}
		if err := json.Unmarshal(msg, &req); err != nil {
			t.Fatalf("%s: %v", st.Tool.Name, err)
		}
		if err := args.CheckAll(req.Params.Arguments); err != nil {
			t.Fatalf("%s: the largest call is not accepted: %v", st.Tool.Name, err)
		}
		if len(msg) > opstransport.MaxMessageBytes {
			t.Errorf("%s: its largest call is %d bytes, past MaxMessageBytes %d", st.Tool.Name, len(msg), opstransport.MaxMessageBytes)
		}
		longest = max(longest, len(msg))
	}
	t.Logf("largest call %d bytes; MaxMessageBytes %d", longest, opstransport.MaxMessageBytes)
}

// reply is a JSON-RPC response as a client reads it.
type reply struct {
	ID     json.RawMessage `json:"id"`
	Result *struct {
		IsError bool `json:"isError"`
		Content []struct {
			Text string `json:"text"`
		} `json:"content"`
		Tools []struct {
			Name string `json:"name"`
		} `json:"tools"`
	} `json:"result"`
	Error *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// exchange is one message and what must come back for it, on every transport.
type exchange struct {
	name string
	msg  string
	// id is the reply's id as JSON; "" when no reply may come (a notification).
	id string
	// toolError is the exact text of the tool error; code a JSON-RPC error's code (with
	// errorText in its message); tools the least number of tools a tools/list lists.
	toolError string
	code      int
	errorText string
	tools     int
	status    int // over HTTP
}

// message is a JSON-RPC message with the given id (omitted when nil), method and params.
func message(id any, method string, params map[string]any) string {
	m := map[string]any{"jsonrpc": "2.0", "method": method, "params": params}
	if id != nil {
		m["id"] = id
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// oversized are the exchanges every transport must answer alike: messages past
// MaxMessageBytes answered without reaching mcp-go, and one just under it answered by mcp-go.
func oversized() []exchange {
	huge := strings.Repeat("x", 1_000_000)
	limit := fmt.Sprintf("the limit is %d bytes", opstransport.MaxMessageBytes)
	elsewhere := message(8, "tools/call", map[string]any{"name": "who_owns", "arguments": map[string]any{"service": "checkout"}, "_meta": map[string]any{"pad": huge}})
	underCap := message(11, "tools/list", nil)
	underCap = underCap[:len(underCap)-1] + strings.Repeat(" ", opstransport.MaxMessageBytes-len(underCap)) + "}"
	return []exchange{
		{name: "tools/call with a 1 MB argument", msg: message("call-7", "tools/call", map[string]any{"name": "who_owns", "arguments": map[string]any{"service": huge}}),
			id: `"call-7"`, toolError: args.Check("service", huge).Error(), status: http.StatusOK},
		{name: "tools/call long elsewhere", msg: elsewhere, id: `8`, status: http.StatusOK,
			toolError: fmt.Sprintf("the request is too long (%d bytes; %s)", len(elsewhere), limit)},
		{name: "another method", msg: message(9, "prompts/get", map[string]any{"name": "incident_brief", "arguments": map[string]any{"service": huge}}),
			id: `9`, code: mcp.INVALID_REQUEST, errorText: limit, status: http.StatusBadRequest},
		{name: "an id past its bound", msg: message(strings.Repeat("i", 300), "tools/call", map[string]any{"name": "who_owns", "arguments": map[string]any{"service": huge}}),
			id: `null`, code: mcp.INVALID_REQUEST, errorText: limit, status: http.StatusBadRequest},
		{name: "a notification", msg: message(nil, "notifications/cancelled", map[string]any{"requestId": 1, "reason": huge}),
			status: http.StatusAccepted},
		{name: "malformed JSON", msg: `{"jsonrpc":"2.0","id":10,"method":"tools/call","params":{"arguments":{"service":"` + huge + `"}}`,
			id: `null`, code: mcp.PARSE_ERROR, status: http.StatusBadRequest},
		{name: "just under the cap", msg: underCap, id: `11`, tools: 7, status: http.StatusOK},
		{name: "the next request", msg: message(12, "tools/list", nil), id: `12`, tools: 7, status: http.StatusOK},
	}
}

// check checks one reply against what the exchange expects.
func (x exchange) check(t *testing.T, body []byte) {
	t.Helper()
	var r reply
	if err := json.Unmarshal(body, &r); err != nil {
		t.Errorf("%s: reply is not JSON-RPC: %v %.300s", x.name, err, body)
		return
	}
	if x.tools == 0 && len(body) > 1<<10 {
		t.Errorf("%s: a refusal of %d bytes echoes the input", x.name, len(body))
	}
	switch {
	case string(r.ID) != x.id:
		t.Errorf("%s: id %s, want %s", x.name, r.ID, x.id)
	case x.toolError != "":
		if r.Result == nil || !r.Result.IsError || len(r.Result.Content) != 1 || r.Result.Content[0].Text != x.toolError {
			t.Errorf("%s: want the tool error %q, got %.300s", x.name, x.toolError, body)
		}
	case x.code != 0:
		if r.Error == nil || r.Error.Code != x.code || !strings.Contains(r.Error.Message, x.errorText) {
			t.Errorf("%s: want error %d naming %q, got %.300s", x.name, x.code, x.errorText, body)
		}
	case r.Result == nil || len(r.Result.Tools) < x.tools:
		t.Errorf("%s: want a list of %d tools, got %.300s", x.name, x.tools, body)
	}
}

// TestOversizedOverStdio drives the stdio transport over real pipes: each oversized
// message is answered by the guard (a notification by nothing), the one just under the
// cap and the next one by mcp-go, and the server keeps serving.
func TestOversizedOverStdio(t *testing.T) {
	inR, inW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	s := tools.NewServer(tools.Deps{Engine: engine.New(engine.Options{})}, "test")
	go func() { served <- opstransport.ServeStdio(ctx, s, inR, outW, slog.New(slog.DiscardHandler)) }()
	lines := make(chan []byte)
	go func() {
		defer close(lines)
		rd := bufio.NewReader(outR)
		for {
			line, err := rd.ReadBytes('\n')
			if err != nil {
				return
			}
			lines <- line
		}
	}()
	t.Cleanup(func() {
		inW.Close()
		cancel()
		if err := <-served; err != nil {
			t.Errorf("ServeStdio: %v", err)
		}
		outW.Close()
		for range lines {
		}
		inR.Close()
		outR.Close()
	})
	// next sends msg and returns the next line the server writes.
	send := func(msg string) {
		if _, err := io.WriteString(inW, msg+"\n"); err != nil {
			t.Fatal(err)
		}
	}
	next := func() []byte {
		select {
		case line := <-lines:
			return line
		case <-time.After(time.Minute):
			t.Fatal("no reply within a minute")
			return nil
		}
	}
	send(initBody)
	if line := next(); !bytes.Contains(line, []byte(`"protocolVersion"`)) {
		t.Fatalf("initialize: %s", line)
	}
	send(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	// Every exchange, then a ping: the guard answers in the order messages come, so a reply
	// to a notification would come before the ping's.
	for _, x := range oversized() {
		send(x.msg)
		send(`{"jsonrpc":"2.0","id":"after","method":"ping"}`)
		got := map[string][]byte{}
		for got[`"after"`] == nil || (x.id != "" && got[x.id] == nil) {
			line := next()
			var r reply
			_ = json.Unmarshal(line, &r)
			got[string(r.ID)] = line
		}
		delete(got, `"after"`)
		if x.id != "" {
			x.check(t, got[x.id])
			delete(got, x.id)
		}
		for id, line := range got {
			t.Errorf("%s: an unexpected reply with id %s: %.300s", x.name, id, line)
		}
	}
}

// TestOversizedOverHTTP: the same exchanges over streamable HTTP, each in its own POST.
func TestOversizedOverHTTP(t *testing.T) {
	base := serve(t, opstransport.HTTPOptions{})
	for _, x := range oversized() {
		resp, body := request(t, http.MethodPost, base+"/mcp", x.msg, nil)
		if resp.StatusCode != x.status {
			t.Errorf("%s: status %d, want %d (%.300s)", x.name, resp.StatusCode, x.status, body)
		}
		if x.id == "" {
			if body != "" {
				t.Errorf("%s: answered %.300s", x.name, body)
			}
			continue
		}
		x.check(t, []byte(body))
	}
}
