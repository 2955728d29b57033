package unit

import (
	"strings"
	"testing"
	"time"

	"github.com/rapor-rb/raporrb/app/apperr"
)

func TestCheckTheTree(t *testing.T) {
	base := func() map[string]Unit {
		return map[string]Unit{
			"kab": {Code: "kab", Name: "Kab", Kind: Kabupaten, TimeZone: "Asia/Makassar", Active: true},
			"a":   {Code: "a", Name: "A", Kind: Kecamatan, Parent: "kab", Active: true},
			"a1":  {Code: "a1", Name: "UPT A1", Kind: UPT, Parent: "a", Active: true},
			"a2":  {Code: "a2", Name: "UPT A2", Kind: UPT, Parent: "a1", Active: true},
		}
	}
	for _, tc := range []struct {
		name  string
		u     Unit
		field string // "" = valid
	}{
		{"move under a grandchild", Unit{Code: "a", Name: "A", Kind: Kecamatan, Parent: "a2"}, "parent"},
		{"own parent", Unit{Code: "a", Name: "A", Kind: Kecamatan, Parent: "a"}, "parent"},
		{"move to the root", Unit{Code: "a2", Name: "UPT A2", Kind: UPT, Parent: "kab"}, ""},
		{"second root", Unit{Code: "b", Name: "B", Kind: Kabupaten, TimeZone: "Asia/Jakarta"}, "parent"},
		{"kecamatan as root", Unit{Code: "kab", Name: "Kab", Kind: Kecamatan, TimeZone: "Asia/Jakarta"}, "parent"},
		{"zone below root", Unit{Code: "a", Name: "A", Kind: Kecamatan, Parent: "kab", TimeZone: "Asia/Jakarta"}, "time_zone"},
		{"unknown zone", Unit{Code: "kab", Name: "Kab", Kind: Kabupaten, TimeZone: "Asia/Tokyo"}, "time_zone"},
		{"kabupaten below", Unit{Code: "b", Name: "B", Kind: Kabupaten, Parent: "kab"}, "kind"},
		{"unknown parent", Unit{Code: "b", Name: "B", Kind: Kecamatan, Parent: "x"}, "parent"},
		{"bad code", Unit{Code: "B!", Name: "B", Kind: Kecamatan, Parent: "kab"}, "code"},
	} {
		all := base()
		all[tc.u.Code] = tc.u
		err := check(all, tc.u)
		if tc.field == "" && err != nil || tc.field != "" && (err == nil || apperr.FieldOf(err) != tc.field || strings.Contains(err.Error(), "Kolom")) {
			t.Errorf("%s: %v, want field %q", tc.name, err, tc.field)
		}
	}
}

func TestZones(t *testing.T) {
	for name, want := range map[string]int{"Asia/Jakarta": 7, "Asia/Makassar": 8, "Asia/Jayapura": 9} {
		loc, ok := Location(name)
		if _, off := time.Date(2026, 1, 1, 0, 0, 0, 0, loc).Zone(); !ok || off != want*3600 {
			t.Errorf("%s = %v, %d", name, ok, off)
		}
	}
	if ZoneLabel("Asia/Makassar") != "WITA (UTC+8)" {
		t.Errorf("label = %q", ZoneLabel("Asia/Makassar"))
	}
	if _, ok := Location("Asia/Tokyo"); ok {
		t.Error("Asia/Tokyo accepted")
	}
}
