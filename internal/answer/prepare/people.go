package prepare

import (
	"strings"

	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/model"
)

// People is one directory of people across sources: the catalogs' people and team
// members, and everyone an on-call source names. Sources name the same person differently
// ("Mei Chen" on call in one, "mei.chen@shop.example" as an escalation target or change
// author in another); an answer names each person one way, by name.
type People struct {
	names map[string]string // key (e-mail, username, folded name) -> display name
}

// NewPeople builds the people directory from the catalogs and the on-call sources' people.
func NewPeople(d *directory.Directory, rs []model.Sourced[model.Responders]) People {
	p := People{names: map[string]string{}}
	for _, x := range d.People {
		p.add(x.Name, x.Email)
	}
	for _, t := range d.Teams {
		for _, m := range t.Members {
			p.add(m.Name, m.Email)
		}
	}
	for _, r := range rs {
		for _, o := range append(append([]model.OnCall{}, r.Value.OnCall...), r.Value.Upcoming...) {
			p.add(o.Name, o.Email)
		}
	}
	return p
}

// add notes a person by name and e-mail. A name that is itself an e-mail or a username is
// no display name; the first real name known for a person wins.
func (p People) add(name, email string) {
	display := name
	if isHandle(display) {
		display = ""
	}
	keys := personKeys(name, email)
	if display == "" {
		for _, k := range keys {
			if n, ok := p.names[k]; ok {
				display = n
				break
			}
		}
	}
	if display == "" {
		return
	}
	for _, k := range keys {
		if cur, ok := p.names[k]; !ok || isHandle(cur) {
			p.names[k] = display
		}
	}
}

// Name is how an answer names the person a source names x (a name, an e-mail or a
// username): their name when the directory knows them, else x as the source wrote it.
func (p People) Name(x string) string {
	for _, k := range personKeys(x, "") {
		if n, ok := p.names[k]; ok {
			return n
		}
	}
	return x
}

// Key identifies a person across sources: the same for every way a source names them.
func (p People) Key(name, email string) string {
	n := p.Name(name)
	if isHandle(n) && email != "" {
		n = p.Name(email)
	}
	return PersonKey(n)
}

// personKeys are the keys a person is found by: their e-mail, its local part as a name
// ("mei.chen" -> "mei chen"), their name folded.
func personKeys(name, email string) []string {
	var out []string
	for _, x := range []string{email, name} {
		if x == "" {
			continue
		}
		out = append(out, PersonKey(x))
		if local, _, ok := strings.Cut(x, "@"); ok {
			out = append(out, PersonKey(local))
		}
	}
	return out
}

// PersonKey folds a name, e-mail or username: lower case, separators as spaces.
func PersonKey(x string) string {
	x = strings.ToLower(strings.TrimSpace(x))
	return strings.Join(strings.FieldsFunc(x, func(r rune) bool { return r == '.' || r == '_' || r == '-' || r == ' ' }), " ")
}

// isHandle reports whether a name is an e-mail or a username rather than a person's name.
func isHandle(x string) bool {
	return strings.Contains(x, "@") || !strings.ContainsAny(strings.TrimSpace(x), " ") && strings.ContainsAny(x, "._")
}
