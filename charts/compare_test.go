package charts

import (
	"reflect"
	"testing"
)

func TestSelfVsFinal(t *testing.T) {
	opt, err := SelfVsFinal("Mandiri vs akhir", []SelfFinal{
		{"Tanjungsari", 92.5, ptr(90.02)},
		{"Sukamaju", 88, nil},
		{"Wanasari", 80.75, ptr(60.25)},
	}, 100)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "self_vs_final", opt)

	o := parse(t, opt)
	perUnit(t, o, 3, "Penilaian mandiri", "Nilai akhir")
	// Rank 1 is drawn on top: ECharts puts the last category there.
	top := []string{"Wanasari", "Sukamaju", "Tanjungsari"}
	if !reflect.DeepEqual(o.YAxis[0].Data, top) {
		t.Errorf("categories = %v, want %v", o.YAxis[0].Data, top)
	}
	for _, s := range o.Series {
		if !reflect.DeepEqual(names(s), top) {
			t.Errorf("%s order = %v", s.Name, names(s))
		}
	}
	if got, want := values(o.Series[0]), []any{80.75, 88.0, 92.5}; !reflect.DeepEqual(got, want) {
		t.Errorf("self = %v, want %v", got, want)
	}
	// The missing final is "-", so ECharts leaves a gap instead of drawing 0.
	if got, want := values(o.Series[1]), []any{60.25, "-", 90.02}; !reflect.DeepEqual(got, want) {
		t.Errorf("final = %v, want %v", got, want)
	}
	if o.XAxis[0].Type != "value" || o.XAxis[0].Max != 100 || o.YAxis[0].Type != "category" {
		t.Errorf("axes = %+v / %+v", o.XAxis, o.YAxis)
	}
}

func TestSelfVsFinalOneRow(t *testing.T) {
	opt, err := SelfVsFinal("Satu", []SelfFinal{{"Sukamaju", 50, nil}}, 100)
	if err != nil {
		t.Fatal(err)
	}
	o := parse(t, opt)
	perUnit(t, o, 1, "Penilaian mandiri", "Nilai akhir")
	if got := values(o.Series[1]); !reflect.DeepEqual(got, []any{"-"}) {
		t.Errorf("final = %v", got)
	}
}
