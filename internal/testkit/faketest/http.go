package faketest

import (
	"io"
	"net/http"
	"testing"
)

// Do sends req over a connection of its own, closed afterwards so that no idle connection
// outlives the call (goleak checks some fakes' tests), and returns the response with its
// body read and closed. An error ends the test.
func Do(t testing.TB, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	res, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, b
}
