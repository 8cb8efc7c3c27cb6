package servicenow

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// FuzzDecodeBody: a page decodes to the rows encoding/json gives, and fails where it fails.
// Seeds: the fuzz seeds of whole responses (testdata/fuzz) and odd but valid pages.
func FuzzDecodeBody(f *testing.F) {
	for _, s := range []string{
		`{"result":[{"sys_id":"a","name":"x"},{"name":"y\u00e9\"q","n":3,"b":true,"z":null}]}`,
		`{"Result":[{"ref":{"display_value":"Checkout","value":"abc","link":"https://x/y"}}],"extra":{"a":[1,2]}}`,
		`{"result":[{"a":"1","a":"2"}],"result":[{"b":"3"}]}`,
		`{"result":[null,{}]}`, `{"result":null}`, `null`, `{}`, ` {"result":[]} `,
		"{\"result\":[{\"bad\":\"\xff\xfe\",\"\xff\":\"k\"}]}", `{"result":[{"s":"\ud800x"}]}`,
		`{"result":[1]}`, `{"result":{}}`, `[]`, `{"result":[]} x`, `{"result":[{"a":"b"]}`, ``,
	} {
		f.Add([]byte(s))
	}
	seeds, _ := filepath.Glob(filepath.Join("testdata", "fuzz", "*", "*"))
	for _, p := range seeds {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var want struct{ Result []row }
		wantErr := json.Unmarshal(b, &want)
		var got listBody
		gotErr := got.DecodeBody(b)
		if (gotErr == nil) != (wantErr == nil) {
			t.Fatalf("DecodeBody(%q) error %v, encoding/json %v", b, gotErr, wantErr)
		}
		if wantErr == nil && !reflect.DeepEqual(got.Result, want.Result) {
			t.Fatalf("DecodeBody(%q) = %#v, encoding/json %#v", b, got.Result, want.Result)
		}
	})
}
