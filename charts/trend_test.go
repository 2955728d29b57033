package charts

import (
	"reflect"
	"testing"
)

func TestTrend(t *testing.T) {
	opt, err := Trend("Tren nilai akhir", []int{2024, 2025, 2026}, []TrendLine{
		{"Tanjungsari", []*float64{ptr(70.5), ptr(76), ptr(82.25)}},
		{"Sukamaju", []*float64{ptr(60), nil, ptr(71)}},
	}, 100, []Threshold{{"WBK", 75}, {"WBBM", 85}})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "trend", opt)

	o := parse(t, opt)
	if want := []string{"2024", "2025", "2026"}; !reflect.DeepEqual(o.XAxis[0].Data, want) {
		t.Errorf("years = %v", o.XAxis[0].Data)
	}
	// One line per unit, one point per year.
	perUnit(t, o, 3, "Tanjungsari", "Sukamaju")
	if got, want := values(o.Series[1]), []any{60.0, "-", 71.0}; !reflect.DeepEqual(got, want) {
		t.Errorf("Sukamaju = %v, want %v (a gap in 2025)", got, want)
	}
	ml := o.Series[0].MarkLine
	if ml == nil || len(ml.Data) != 2 || ml.Data[0].YAxis != 75 || ml.Data[1].Name != "WBBM 85" {
		t.Errorf("thresholds = %+v", ml)
	}
	if o.Series[1].MarkLine != nil {
		t.Error("thresholds drawn twice")
	}
	if o.YAxis[0].Max != 100 {
		t.Errorf("y max = %v", o.YAxis[0].Max)
	}
}

func TestTrendErrors(t *testing.T) {
	if _, err := Trend("x", []int{2025, 2026}, []TrendLine{{"A", []*float64{ptr(1)}}}, 100, nil); err == nil {
		t.Error("one value for two years: no error")
	}
}
