package charts

import (
	"reflect"
	"testing"
)

func TestProgress(t *testing.T) {
	opt, err := Progress("Kemajuan pengisian", []ProgressRow{
		{"Tanjungsari", 40, 30, 12, 40},
		{"Sukamaju", 1, 1, 0, 3},
		{"Wanasari", 0, 0, 0, 0},
	})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "progress", opt)

	o := parse(t, opt)
	perUnit(t, o, 3, "Dijawab", "Berbukti", "Direviu")
	top := []string{"Wanasari", "Sukamaju", "Tanjungsari"} // the caller's first row on top
	if !reflect.DeepEqual(o.YAxis[0].Data, top) {
		t.Errorf("categories = %v, want %v", o.YAxis[0].Data, top)
	}
	for _, s := range o.Series {
		if s.Stack != "" {
			t.Errorf("%s is stacked on %q", s.Name, s.Stack)
		}
		if !reflect.DeepEqual(names(s), top) {
			t.Errorf("%s order = %v", s.Name, names(s))
		}
	}
	for i, want := range [][]any{{0.0, 33.3, 100.0}, {0.0, 33.3, 75.0}, {0.0, 0.0, 30.0}} {
		if got := values(o.Series[i]); !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %v, want %v", o.Series[i].Name, got, want)
		}
	}
	if o.XAxis[0].Max != 100 {
		t.Errorf("x max = %v", o.XAxis[0].Max)
	}
}

// Progress percentages round half away from zero on the exact value, in integers: 1 of 16 is
// 6.25 → 6.3 (a float's math.Round(0.0625*1000)/10 also gives 6.3, but 1 of 80 = 1.25 must give
// 1.3 as well, and 3 of 8 = 37.5 stays 37.5).
func TestProgressPercentRounding(t *testing.T) {
	for _, tt := range []struct {
		n, total int
		want     float64
	}{{1, 16, 6.3}, {1, 80, 1.3}, {3, 8, 37.5}, {1, 3, 33.3}, {2, 3, 66.7}, {0, 5, 0}, {5, 5, 100}, {1, 0, 0}} {
		if got := percent(tt.n, tt.total); got != tt.want {
			t.Errorf("percent(%d, %d) = %v, want %v", tt.n, tt.total, got, tt.want)
		}
	}
	if got := idNum(15.75); got != "15,75" {
		t.Errorf("idNum(15.75) = %q", got)
	}
}
