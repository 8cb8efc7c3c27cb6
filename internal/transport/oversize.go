package transport

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/opsctx/opsctx/internal/args"
)

// MaxMessageBytes is the size of the largest MCP message opsctx decodes, on every transport.
// It is derived from internal/args: the largest call a tool accepts has every argument at
// its limit (lists at args.MaxItems); written with JSON's longest escapes (12 bytes for a
// character outside the BMP) it is 106 KiB (incident_context, TestMaxMessageBytesHoldsEveryCall),
// and the rest is room for the envelope (jsonrpc, id, method, _meta). A longer
// message is answered from a cheap scan of it (see screen) without reaching mcp-go, whose
// decoding of a 1 MB call took 31 ms before any argument limit could refuse it.
const MaxMessageBytes = 128 << 10

// maxIDBytes bounds the request id a refusal repeats; a longer id is answered with a null id.
const maxIDBytes = 256

// refusal is the answer to a message longer than MaxMessageBytes.
type refusal struct {
	// reply is the JSON-RPC response; nil for a notification, which gets none.
	reply []byte
	// status is the HTTP status of the reply: 200 for a tool error, 400 for a JSON-RPC
	// error, 202 for a notification.
	status int
	// method, tool and size say what was refused (for the debug log).
	method, tool string
	size         int
}

// screen answers msg when it is longer than MaxMessageBytes, reading only its id, method and
// params (name and the size of each argument) with a token scan that skips every other
// value without decoding it. A tools/call gets a tool error: the argument-limit error of its
// largest argument when that argument is past its limit, else one naming MaxMessageBytes;
// another request a JSON-RPC Invalid Request (-32600) naming the limit; a notification
// nothing. It returns nil for a message within the limit, for malformed JSON (mcp-go
// answers the parse error as always) and for a response to a server request (no method):
// those go to mcp-go unchanged.
func screen(msg []byte) *refusal {
	if len(msg) <= MaxMessageBytes {
		return nil
	}
	h, err := scan(msg)
	if err != nil || (h.method == nil && h.response) {
		return nil
	}
	r := &refusal{tool: h.tool, size: len(msg)}
	if h.method != nil {
		r.method = *h.method
	}
	var id mcp.RequestId
	if h.id != nil && (len(h.id) > maxIDBytes || json.Unmarshal(h.id, &id) != nil) {
		h.badID, id = true, mcp.RequestId{}
	}
	tooLong := fmt.Sprintf("the request is too long (%d bytes; the limit is %d bytes)", len(msg), MaxMessageBytes)
	switch {
	case !h.object || h.badID || h.method == nil || h.jsonrpc != mcp.JSONRPC_VERSION:
		// not a request mcp-go would serve: Invalid Request below
	case h.id == nil:
		r.status = http.StatusAccepted // a notification: nothing to answer
		return r
	case r.method == string(mcp.MethodToolsCall):
		text := tooLong
		if err := h.largest.check(msg); err != nil {
			text = err.Error()
		}
		r.status, r.reply = http.StatusOK, encode(mcp.NewJSONRPCResultResponse(id, mcp.NewToolResultError(text)))
		return r
	}
	r.status, r.reply = http.StatusBadRequest, encode(mcp.NewJSONRPCError(id, mcp.INVALID_REQUEST, "Invalid Request: "+tooLong, nil))
	return r
}

// encode is the JSON of one of mcp's own messages, which always encode.
func encode(m mcp.JSONRPCMessage) []byte {
	b, _ := json.Marshal(m)
	return b
}

// head is what scan read of a message.
type head struct {
	object   bool    // the message is a JSON object
	id       []byte  // the raw id; nil when absent
	badID    bool    // the id is not one to repeat: not a string, number or null, or too long
	method   *string // nil when absent or not a string
	jsonrpc  string
	response bool     // it has a result or an error: a response to a server request
	tool     string   // params.name
	largest  argument // the longest of params.arguments
}

// argument is one argument of a tools/call: its name and where its raw value lies in the message.
type argument struct {
	name       string
	start, end int64
}

// size is how much of the message the argument takes.
func (a argument) size() int64 { return int64(len(a.name)) + a.end - a.start }

// check is the argument-limit error of the argument (its name, or its value when a string)
// when past its limit, else nil.
func (a argument) check(msg []byte) error {
	if a.end == 0 {
		return nil
	}
	var value any
	if raw := bytes.TrimLeft(msg[a.start:a.end], " \t\r\n:"); len(raw) > 1 && raw[0] == '"' {
		value = unquote(raw)
	}
	return args.CheckAll(map[string]any{a.name: value})
}

// unquote is the string a valid JSON string decodes to (nil when it does not decode); one
// without escapes is itself (half the cost of a 1 MB argument was decoding it).
func unquote(raw []byte) any {
	if inner := raw[1 : len(raw)-1]; bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		return string(inner)
	}
	if s, err := jsontext.AppendUnquote(nil, raw); err == nil {
		return string(s)
	}
	return nil
}

// scan walks msg's top-level object once. Names are matched as encoding/json matches struct
// fields (case-insensitively, the last of duplicates wins), as mcp-go reads them.
func scan(msg []byte) (head, error) {
	var h head
	d := jsontext.NewDecoder(bytes.NewBuffer(msg), jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	if d.PeekKind() != '{' {
		if err := d.SkipValue(); err != nil {
			return h, err
		}
		return h, atEnd(d)
	}
	h.object = true
	err := members(d, func(name string) error {
		switch {
		case strings.EqualFold(name, "id"):
			v, err := d.ReadValue()
			switch v.Kind() {
			case '"', '0':
				h.id, h.badID = bytes.Clone(v), false
			case 'n':
				h.id, h.badID = nil, false
			default:
				h.id, h.badID = nil, true
			}
			return err
		case strings.EqualFold(name, "method"):
			return readString(d, func(s string) { h.method = &s }, func() { h.method = nil })
		case strings.EqualFold(name, "jsonrpc"):
			return readString(d, func(s string) { h.jsonrpc = s }, func() { h.jsonrpc = "" })
		case strings.EqualFold(name, "result"), strings.EqualFold(name, "error"):
			h.response = true
		case strings.EqualFold(name, "params") && d.PeekKind() == '{':
			return params(d, &h)
		}
		return d.SkipValue()
	})
	if err != nil {
		return h, err
	}
	return h, atEnd(d)
}

// params reads the name of a tools/call and the extent of each argument.
func params(d *jsontext.Decoder, h *head) error {
	return members(d, func(name string) error {
		switch {
		case strings.EqualFold(name, "name"):
			return readString(d, func(s string) { h.tool = s }, func() { h.tool = "" })
		case strings.EqualFold(name, "arguments") && d.PeekKind() == '{':
			h.largest = argument{}
			return members(d, func(name string) error {
				start := d.InputOffset()
				if err := d.SkipValue(); err != nil {
					return err
				}
				if a := (argument{name: name, start: start, end: d.InputOffset()}); a.size() > h.largest.size() {
					h.largest = a
				}
				return nil
			})
		}
		return d.SkipValue()
	})
}

// members reads an object, calling f with each member's name; f reads the value.
func members(d *jsontext.Decoder, f func(name string) error) error {
	if _, err := d.ReadToken(); err != nil { // {
		return err
	}
	for d.PeekKind() != '}' {
		name, err := d.ReadToken()
		if err != nil {
			return err
		}
		if err := f(name.String()); err != nil {
			return err
		}
	}
	_, err := d.ReadToken() // }
	return err
}

// readString reads a value, calling set when it is a string and unset otherwise.
func readString(d *jsontext.Decoder, set func(string), unset func()) error {
	if d.PeekKind() != '"' {
		unset()
		return d.SkipValue()
	}
	t, err := d.ReadToken()
	if err == nil {
		set(t.String())
	}
	return err
}

// atEnd checks that nothing but whitespace follows the value, as encoding/json requires.
func atEnd(d *jsontext.Decoder) error {
	if _, err := d.ReadToken(); err != io.EOF {
		return fmt.Errorf("data after the message")
	}
	return nil
}
