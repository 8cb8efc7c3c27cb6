package scale

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/opsctx/opsctx/internal/transport"
)

// stdioClient is a client of transport.ServeStdio over real pipes.
type stdioClient struct {
	in     *os.File // the server's stdin, written by the client
	out    *bufio.Reader
	files  []*os.File
	cancel context.CancelFunc
	served chan error
}

func startStdio(ctx context.Context, s *server.MCPServer) (*stdioClient, error) {
	inR, inW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		return nil, errors.Join(err, inR.Close(), inW.Close())
	}
	ctx, cancel := context.WithCancel(ctx)
	c := &stdioClient{in: inW, out: bufio.NewReader(outR), files: []*os.File{inR, outR, outW}, cancel: cancel, served: make(chan error, 1)}
	quiet := slog.New(slog.DiscardHandler)
	go func() { c.served <- transport.ServeStdio(ctx, s, inR, outW, quiet) }()
	init, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": map[string]any{
		"protocolVersion": mcp.LATEST_PROTOCOL_VERSION, "capabilities": map[string]any{}, "clientInfo": map[string]any{"name": "opsctx-bench", "version": "0"}}})
	if _, err := c.call(init); err != nil {
		return nil, errors.Join(err, c.close())
	}
	return c, nil
}

// send writes one message.
func (c *stdioClient) send(msg []byte) error {
	_, err := c.in.Write(append(msg, '\n'))
	return err
}

// call sends one message and reads the next line the server writes.
func (c *stdioClient) call(msg []byte) ([]byte, error) {
	if err := c.send(msg); err != nil {
		return nil, err
	}
	return c.out.ReadBytes('\n')
}

// close hangs up: the server sees its stdin end, cancels what is in flight and returns.
func (c *stdioClient) close() error {
	err := c.in.Close()
	c.cancel()
	err = errors.Join(err, <-c.served)
	for _, f := range c.files {
		err = errors.Join(err, f.Close())
	}
	return err
}

func whoOwns(id int, name string) []byte {
	msg, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": id, "method": "tools/call",
		"params": map[string]any{"name": "who_owns", "arguments": map[string]any{"service": name}}})
	return msg
}

// caller sends one message and returns the reply: a stdio or an HTTP client.
type caller interface {
	call(msg []byte) ([]byte, error)
}

// unknownService calls who_owns over c for a service that does not exist and returns how
// long the tool error took and its text.
func unknownService(c caller, name string) (time.Duration, string, error) {
	msg := whoOwns(1, name)
	start := time.Now()
	reply, err := c.call(msg)
	took := time.Since(start)
	if err != nil {
		return took, "", err
	}
	var r struct {
		Result *mcp.CallToolResult `json:"result"`
	}
	if err := json.Unmarshal(reply, &r); err != nil || r.Result == nil || !r.Result.IsError || len(r.Result.Content) == 0 {
		return took, "", fmt.Errorf("who_owns of an unknown service: no tool error: %.200s", reply)
	}
	text, _ := r.Result.Content[0].(mcp.TextContent)
	return took, text.Text, nil
}

// httpClient posts raw messages to a streamable HTTP endpoint on one kept connection.
type httpClient struct {
	url string
	c   *http.Client
}

func (h httpClient) call(msg []byte) ([]byte, error) {
	req, err := http.NewRequest(http.MethodPost, h.url, bytes.NewReader(msg))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	resp, err := h.c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}
