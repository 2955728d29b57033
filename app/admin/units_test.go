package admin

import (
	"slices"
	"testing"

	"github.com/rapor-rb/raporrb/app/unit"
)

// A unit may move under any unit but itself and those under it: they are not offered.
func TestParentChoicesLeaveOutTheSubtree(t *testing.T) {
	us := []unit.Unit{
		{Code: "kab", Name: "Kabupaten"},
		{Code: "alpha", Name: "Alpha", Parent: "kab"},
		{Code: "upt-a", Name: "UPT A", Parent: "alpha"},
		{Code: "pos-a", Name: "Pos A", Parent: "upt-a"},
		{Code: "beta", Name: "Beta", Parent: "kab"},
		{Code: "upt-b", Name: "UPT B", Parent: "beta"},
	}
	codes := func(rows []treeRow) (out []string) {
		for _, r := range rows {
			out = append(out, r.Code)
		}
		return out
	}
	for _, tc := range []struct {
		code string
		want []string
	}{
		{"alpha", []string{"kab", "beta", "upt-b"}},
		{"upt-a", []string{"kab", "alpha", "beta", "upt-b"}},
		{"beta", []string{"kab", "alpha", "upt-a", "pos-a"}},
		{"kab", nil},
	} {
		if got := codes(parentChoices(tree(us), tc.code)); !slices.Equal(got, tc.want) {
			t.Errorf("parents offered to %s = %v, want %v", tc.code, got, tc.want)
		}
	}
	if got := tree(us)[2].Indented(); got != "\u00a0\u00a0\u00a0\u00a0UPT A" {
		t.Errorf("indented %q", got)
	}
}
