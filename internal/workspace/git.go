package workspace

import (
	"bufio"
	"bytes"
	"path/filepath"
	"strings"

	"github.com/opsctx/opsctx/internal/repourl"
)

// gitDirOf returns the git directory of a checkout rooted at dir: dir/.git when it is a
// folder, the folder a .git file points to ("gitdir: …", as in worktrees and submodules).
// ok is false when dir holds no .git; a symlinked .git marks a checkout whose git
// directory is not followed.
func gitDirOf(fsys FS, dir string) (gitDir string, ok bool) {
	p := filepath.Join(dir, ".git")
	st, err := fsys.Lstat(p)
	switch {
	case err != nil:
		return "", false
	case st.IsDir():
		return p, true
	case !st.Mode().IsRegular():
		return "", true
	}
	data, err := fsys.ReadFile(p, 4096)
	if err != nil {
		return "", true
	}
	line, _, _ := strings.Cut(string(data), "\n")
	g, found := strings.CutPrefix(strings.TrimSpace(line), "gitdir:")
	if g = strings.TrimSpace(g); !found || g == "" {
		return "", true
	}
	if !filepath.IsAbs(g) {
		g = filepath.Join(dir, g)
	}
	return g, true
}

// readRemote reads the origin remote's URL from the checkout's git config (the common
// directory's, for a worktree), with its url.<base>.insteadOf rewrites applied and its
// credentials removed. Without an origin the only remote is used; otherwise none.
func readRemote(fsys FS, gitDir string) (name, url string) {
	if gitDir == "" {
		return "", ""
	}
	cfg := filepath.Join(gitDir, "config")
	if data, err := fsys.ReadFile(filepath.Join(gitDir, "commondir"), 4096); err == nil {
		common := strings.TrimSpace(string(data))
		if !filepath.IsAbs(common) {
			common = filepath.Join(gitDir, common)
		}
		cfg = filepath.Join(common, "config")
	}
	data, err := fsys.ReadFile(cfg, MaxFile)
	if err != nil {
		return "", ""
	}
	c := parseConfig(data)
	switch {
	case c.remotes["origin"] != "":
		name = "origin"
	case len(c.order) == 1:
		name = c.order[0]
	default:
		return "", ""
	}
	return name, repourl.Redact(c.rewrite(c.remotes[name]))
}

// gitConfig is what opsctx reads of a git config file.
type gitConfig struct {
	remotes map[string]string // remote name -> url (the first one stated)
	order   []string          // remote names with a url, in order
	// insteadOf maps a URL prefix to the base that replaces it (url.<base>.insteadOf).
	insteadOf map[string]string
}

// rewrite applies the longest matching insteadOf prefix, as git does.
func (c gitConfig) rewrite(u string) string {
	best := ""
	for prefix := range c.insteadOf {
		if strings.HasPrefix(u, prefix) && len(prefix) > len(best) {
			best = prefix
		}
	}
	if best == "" {
		return u
	}
	return c.insteadOf[best] + u[len(best):]
}

// parseConfig reads remote.<name>.url and url.<base>.insteadOf from a git config file
// (git-config(1) syntax: sections with quoted subsections, case-insensitive names,
// comments, quoted values, escapes and continued lines). Everything else is ignored.
func parseConfig(data []byte) gitConfig {
	c := gitConfig{remotes: map[string]string{}, insteadOf: map[string]string{}}
	var section, sub string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), MaxFile)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		for strings.HasSuffix(line, `\`) && sc.Scan() { // a continued value
			line = strings.TrimSuffix(line, `\`) + strings.TrimSpace(sc.Text())
		}
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if line[0] == '[' {
			section, sub = parseSection(line)
			continue
		}
		key, value, _ := strings.Cut(line, "=")
		key, value = strings.ToLower(strings.TrimSpace(key)), configValue(value)
		switch {
		case section == "remote" && key == "url" && sub != "":
			if _, seen := c.remotes[sub]; !seen && value != "" {
				c.remotes[sub] = value
				c.order = append(c.order, sub)
			}
		case section == "url" && key == "insteadof" && sub != "" && value != "":
			c.insteadOf[value] = sub
		}
	}
	return c
}

// parseSection reads `[section "sub"]` (or the old `[section.sub]`): the section name
// lowercased, the subsection as written.
func parseSection(line string) (section, sub string) {
	line = strings.TrimPrefix(line, "[")
	end := strings.LastIndex(line, "]")
	if end < 0 {
		return "", ""
	}
	line = line[:end]
	if name, rest, ok := strings.Cut(line, " "); ok {
		return strings.ToLower(strings.TrimSpace(name)), configValue(rest)
	}
	name, rest, _ := strings.Cut(line, ".")
	return strings.ToLower(name), rest
}

// configValue unquotes a value and drops a trailing comment, honouring \" \\ \n \t.
func configValue(v string) string {
	var b strings.Builder
	quoted := false
	for i := 0; i < len(v); i++ {
		switch ch := v[i]; {
		case ch == '"':
			quoted = !quoted
		case ch == '\\' && i+1 < len(v):
			i++
			switch v[i] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			default:
				b.WriteByte(v[i])
			}
		case (ch == '#' || ch == ';') && !quoted:
			return strings.TrimSpace(b.String())
		default:
			b.WriteByte(ch)
		}
	}
	return strings.TrimSpace(b.String())
}
