// Package graph is the directory's dependency graph in compact form: a Builder collects the
// dependencies the catalogs state, the Graph it builds answers what a service depends on,
// what depends on it and whether one reaches another. It is pure and knows only names.
package graph

import (
	"iter"
	"slices"
	"strings"

	"github.com/opsctx/opsctx/internal/directory/namekey"
	"github.com/opsctx/opsctx/internal/model"
)

// Graph is the dependency graph in compact form: nodes are names (canonical entity names,
// and names that dependencies mention but no catalog declares), an edge is three int32s,
// what edges say besides their ends is shared, and adjacency is kept in CSR arrays.
// At 200k edges it holds ~6 MiB where a []Edge with per-edge slices and maps of index
// slices held ~30 MiB.
type Graph struct {
	names    []string         // node -> name
	node     map[string]int32 // namekey.Fold(name) -> node
	edges    []edge
	attrs    []edgeAttr
	outStart []int32 // edges leaving node n: outIdx[outStart[n]:outStart[n+1]]
	outIdx   []int32
	inStart  []int32 // edges entering node n: inIdx[inStart[n]:inStart[n+1]]
	inIdx    []int32
}

// Edge is a dependency between two entities: From depends on To.
type Edge struct {
	From     string   `json:"from"`
	To       string   `json:"to"`
	Kinds    []string `json:"kinds"`
	Sources  []string `json:"sources"`
	Contract string   `json:"contract,omitempty"`
	// Declared is set when some source states the edge (a catalog, a CMDB); Measured when
	// some source saw it in traffic.
	Declared bool `json:"declared"`
	Measured bool `json:"measured"`
}

type edge struct{ from, to, attr int32 }

// edgeAttr is what an edge says besides its ends; edges share the few distinct values.
type edgeAttr struct {
	kinds, sources     []string
	contract           string
	declared, measured bool
}

// Edge materialises edge i. Its slices are shared: callers must not modify them.
func (g *Graph) Edge(i int32) Edge {
	e := g.edges[i]
	a := g.attrs[e.attr]
	return Edge{From: g.names[e.from], To: g.names[e.to], Kinds: a.kinds, Sources: a.sources, Contract: a.contract,
		Declared: a.declared, Measured: a.measured}
}

// Out returns the edges leaving the node named name.
func (g *Graph) Out(name string) []int32 {
	if n, ok := g.node[namekey.Fold(name)]; ok {
		return g.outIdx[g.outStart[n]:g.outStart[n+1]]
	}
	return nil
}

// In returns the edges entering the node named name.
func (g *Graph) In(name string) []int32 {
	if n, ok := g.node[namekey.Fold(name)]; ok {
		return g.inIdx[g.inStart[n]:g.inStart[n+1]]
	}
	return nil
}

// All yields every edge in the order the catalogs declared them.
func (g *Graph) All() iter.Seq[Edge] {
	return func(yield func(Edge) bool) {
		for i := range g.edges {
			if !yield(g.Edge(int32(i))) {
				return
			}
		}
	}
}

// Reaches reports whether from reaches to along edges within depth hops.
func (g *Graph) Reaches(from, to string, depth int) bool {
	f, ok := g.node[namekey.Fold(from)]
	t, ok2 := g.node[namekey.Fold(to)]
	if !ok || !ok2 {
		return false
	}
	frontier, seen := []int32{f}, map[int32]bool{f: true}
	for i := 0; i < depth && len(frontier) > 0; i++ {
		var next []int32
		for _, n := range frontier {
			for _, ei := range g.outIdx[g.outStart[n]:g.outStart[n+1]] {
				x := g.edges[ei].to
				if x == t {
					return true
				}
				if !seen[x] {
					seen[x] = true
					next = append(next, x)
				}
			}
		}
		frontier = next
	}
	return false
}

// Builder collects dependencies into a graph, merging repeated (from, to) pairs.
type Builder struct {
	g      Graph
	byEnds map[uint64]int32 // from<<32 | to -> edge
	attrOf map[attrKey]int32
}

type attrKey struct {
	kinds, sources, contract string
	declared, measured       bool
}

// NewBuilder starts a graph for about edges edges.
func NewBuilder(edges int) *Builder {
	return &Builder{
		g:      Graph{node: map[string]int32{}, edges: make([]edge, 0, edges)},
		byEnds: make(map[uint64]int32, edges),
		attrOf: map[attrKey]int32{},
	}
}

// Node returns the node named name (case-insensitively), adding it when new.
func (b *Builder) Node(name string) int32 {
	k := namekey.Fold(name)
	if n, ok := b.g.node[k]; ok {
		return n
	}
	n := int32(len(b.g.names))
	b.g.names = append(b.g.names, name)
	b.g.node[k] = n
	return n
}

// Add records that node f depends on node t as dep states it, stated by source.
func (b *Builder) Add(f, t int32, dep model.Dependency, source string) {
	ends := uint64(uint32(f))<<32 | uint64(uint32(t))
	i, ok := b.byEnds[ends]
	if !ok {
		b.byEnds[ends] = int32(len(b.g.edges))
		b.g.edges = append(b.g.edges, edge{f, t, b.attr(edgeAttr{kinds: namekey.AppendUnique(nil, dep.Kind), sources: namekey.AppendUnique(nil, source),
			contract: dep.Contract, declared: !dep.Measured, measured: dep.Measured})})
		return
	}
	a := b.g.attrs[b.g.edges[i].attr]
	if a.contract == "" {
		a.contract = dep.Contract
	}
	a.kinds, a.sources = namekey.AppendUnique(slices.Clip(a.kinds), dep.Kind), namekey.AppendUnique(slices.Clip(a.sources), source)
	a.declared, a.measured = a.declared || !dep.Measured, a.measured || dep.Measured
	b.g.edges[i].attr = b.attr(a)
}

// attr returns the index of the shared attribute value equal to a, adding it when new.
func (b *Builder) attr(a edgeAttr) int32 {
	k := attrKey{strings.Join(a.kinds, "\x00"), strings.Join(a.sources, "\x00"), a.contract, a.declared, a.measured}
	if i, ok := b.attrOf[k]; ok {
		return i
	}
	i := int32(len(b.g.attrs))
	b.g.attrs = append(b.g.attrs, a)
	b.attrOf[k] = i
	return i
}

// Finish builds the adjacency arrays and returns the graph.
func (b *Builder) Finish() Graph {
	g := b.g
	g.edges = slices.Clip(g.edges)
	g.outStart, g.outIdx = csr(len(g.names), g.edges, func(e edge) int32 { return e.from })
	g.inStart, g.inIdx = csr(len(g.names), g.edges, func(e edge) int32 { return e.to })
	return g
}

// csr groups edge indexes by one end, keeping their order: the edges of node n are
// idx[start[n]:start[n+1]].
func csr(nodes int, edges []edge, end func(edge) int32) (start, idx []int32) {
	start = make([]int32, nodes+1)
	for _, e := range edges {
		start[end(e)+1]++
	}
	for i := 1; i <= nodes; i++ {
		start[i] += start[i-1]
	}
	idx = make([]int32, len(edges))
	next := slices.Clone(start[:nodes])
	for i, e := range edges {
		n := end(e)
		idx[next[n]] = int32(i)
		next[n]++
	}
	return start, idx
}
