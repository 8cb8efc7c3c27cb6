package hosts

import "testing"

func TestParseHostName(t *testing.T) {
	for _, tt := range []struct {
		in    string
		want  HostName
		domai string
	}{
		{"app-01", HostName{Full: "app-01", Short: "app-01"}, ""},
		{"App-01.Shop.Example.", HostName{Full: "app-01.shop.example", Short: "app-01"}, "shop.example"},
		{"app-01.shop.example:9100", HostName{Full: "app-01.shop.example", Short: "app-01"}, "shop.example"},
		{"http://user@app-01.shop.example:8080/metrics?x=1", HostName{Full: "app-01.shop.example", Short: "app-01"}, "shop.example"},
		{"10.0.1.12:9100", HostName{Full: "10.0.1.12", IP: true}, ""},
		{" 10.0.1.12 ", HostName{Full: "10.0.1.12", IP: true}, ""},
		{"[2001:DB8::7]:9100", HostName{Full: "2001:db8::7", IP: true}, ""},
		{"2001:db8:0::7", HostName{Full: "2001:db8::7", IP: true}, ""},
		{"::ffff:10.0.1.12", HostName{Full: "10.0.1.12", IP: true}, ""},
		{"ip-10-0-1-23.eu-west-1.compute.internal", HostName{Full: "ip-10-0-1-23.eu-west-1.compute.internal", Short: "ip-10-0-1-23"}, "eu-west-1.compute.internal"},
		{"app-01:http", HostName{Full: "app-01:http", Short: "app-01:http"}, ""}, // not a port
		{"", HostName{}, ""},
		{":9100", HostName{}, ""},
	} {
		got := ParseHostName(tt.in)
		if got != tt.want || got.Domain() != tt.domai {
			t.Errorf("ParseHostName(%q) = %+v (domain %q), want %+v (domain %q)", tt.in, got, got.Domain(), tt.want, tt.domai)
		}
	}
}
