package scoring

// The tree DP of PlanPath: the fewest indicators to raise to their best (see path.go, "Why a
// tree DP is exact").

import (
	"math/big"
	"slices"

	"github.com/rapor-rb/raporrb/app/instrument"
)

// table is the DP of one node: best[k] is the highest exact score of the subtree with exactly k
// indicators raised to their best and every rule inside the subtree passing, nil if none does.
type table struct {
	best []*big.Rat
	// Reconstruction: a leaf raises raisable[:k]; a parent gives split[j][k] of the k raised
	// among kids[:j+1] to kids[j].
	raisable []string
	kids     []*table
	split    [][]int
}

// fewest returns the smallest set of raisable indicators that, raised to their best answers,
// passes the goal; ok is false when even raising all of them fails.
func (pl *planner) fewest() (chosen map[string]bool, ok bool) {
	root := pl.parent(pl.inst.Areas, instrument.TotalNode)
	for k, s := range root.best {
		if s == nil {
			continue
		}
		chosen = map[string]bool{}
		root.pick(k, chosen)
		if pl.passes(pl.withBest(chosen)) {
			return chosen, true
		}
	}
	if pl.passes(pl.withBest(pl.raise)) {
		return pl.raise, true
	}
	return nil, false
}

// node builds the table of an area.
func (pl *planner) node(a *instrument.Area) *table {
	if a.IsLeaf() {
		return pl.leaf(a)
	}
	return pl.parent(a.Areas, a.Code)
}

// leaf raises the lowest-valued indicators first: inside a leaf every indicator weighs
// points/n, so the lowest value has the largest gain. Ties keep sheet order.
func (pl *planner) leaf(a *instrument.Area) *table {
	t := &table{}
	for _, ind := range a.Indicators {
		if pl.raise[ind.Code] {
			t.raisable = append(t.raisable, ind.Code)
		}
	}
	slices.SortStableFunc(t.raisable, func(x, y string) int { return pl.value[x].Cmp(pl.value[y]) })
	raised := map[string]bool{}
	one := big.NewRat(1, 1)
	t.best = make([]*big.Rat, len(t.raisable)+1)
	for k := range t.best {
		if k > 0 {
			raised[t.raisable[k-1]] = true
		}
		t.best[k] = leafExact(pl.inst, a, func(code string) *big.Rat {
			if raised[code] {
				return one
			}
			return pl.value[code]
		})
	}
	pl.enforce(t, a.Code)
	return t
}

// parent convolves the children's tables in sheet order, then enforces the node's own rules.
// code is TotalNode for the virtual root over the instrument's roots.
func (pl *planner) parent(children []*instrument.Area, code string) *table {
	t := &table{best: []*big.Rat{new(big.Rat)}}
	for _, c := range children {
		kid := pl.node(c)
		next := make([]*big.Rat, len(t.best)+len(kid.best)-1)
		split := make([]int, len(next))
		for k1, s1 := range t.best {
			if s1 == nil {
				continue
			}
			for k2, s2 := range kid.best {
				if s2 == nil {
					continue
				}
				sum := new(big.Rat).Add(s1, s2)
				if next[k1+k2] == nil || sum.Cmp(next[k1+k2]) > 0 {
					next[k1+k2], split[k1+k2] = sum, k2
				}
			}
		}
		t.best = next
		t.kids = append(t.kids, kid)
		t.split = append(t.split, split)
	}
	pl.enforce(t, code)
	return t
}

// enforce drops every k whose score fails one of the node's own rules.
func (pl *planner) enforce(t *table, code string) {
	for k, s := range t.best {
		for _, b := range pl.goal.bounds[code] {
			if s != nil && !b.holds(s) {
				t.best[k] = nil
			}
		}
	}
}

// pick adds to chosen the k indicators behind t.best[k].
func (t *table) pick(k int, chosen map[string]bool) {
	if t.kids == nil {
		for _, code := range t.raisable[:k] {
			chosen[code] = true
		}
		return
	}
	for j := len(t.kids) - 1; j >= 0; j-- {
		kj := t.split[j][k]
		t.kids[j].pick(kj, chosen)
		k -= kj
	}
}
