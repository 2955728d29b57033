package charts

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestHeatmap(t *testing.T) {
	units := []string{"Tanjungsari", "Sukamaju", "Wanasari"}
	areas := []string{"Manajemen Perubahan", "Tata Laksana"}
	opt, err := Heatmap("Capaian per area", units, areas, [][]float64{
		{95, 88.88},
		{40.04, 100},
		{0, 66.67},
	})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "heatmap", opt)

	o := parse(t, opt)
	if !reflect.DeepEqual(o.XAxis[0].Data, areas) {
		t.Errorf("x = %v", o.XAxis[0].Data)
	}
	// The first unit on top: the last category of the y axis.
	if want := []string{"Wanasari", "Sukamaju", "Tanjungsari"}; !reflect.DeepEqual(o.YAxis[0].Data, want) {
		t.Errorf("y = %v, want %v", o.YAxis[0].Data, want)
	}
	// Every area is named: ECharts shows all category labels only for the number 0.
	var raw struct {
		XAxis []struct {
			AxisLabel struct{ Interval any } `json:"axisLabel"`
		} `json:"xAxis"`
	}
	if err := json.Unmarshal(opt, &raw); err != nil || len(raw.XAxis) != 1 || raw.XAxis[0].AxisLabel.Interval != 0.0 {
		t.Errorf("x axis labels = %+v, %v", raw.XAxis, err)
	}
	if len(o.VisualMap) != 1 || o.VisualMap[0].Min != 0 || o.VisualMap[0].Max != 100 {
		t.Errorf("visualMap = %+v", o.VisualMap)
	}
	if len(o.Series) != 1 {
		t.Fatalf("%d series", len(o.Series))
	}
	// Cells are [x, y, value]: x the area, y counted from the bottom, values as given (the
	// caller rounds them exactly; the chart rounds nothing in floating point).
	want := [][]any{
		{0.0, 2.0, 95.0}, {1.0, 2.0, 88.88},
		{0.0, 1.0, 40.04}, {1.0, 1.0, 100.0},
		{0.0, 0.0, 0.0}, {1.0, 0.0, 66.67},
	}
	got := make([][]any, len(o.Series[0].Data))
	for i, d := range o.Series[0].Data {
		cell, ok := d.Value.([]any)
		if !ok {
			t.Fatalf("cell %d = %#v, want [x, y, v]", i, d.Value)
		}
		got[i] = cell
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("cells = %v, want %v", got, want)
	}
	if n := o.Series[0].Data[1].Name; n != "Tanjungsari – Tata Laksana" {
		t.Errorf("cell name = %q", n)
	}
}

func TestHeatmapErrors(t *testing.T) {
	if _, err := Heatmap("x", []string{"A", "B"}, []string{"P"}, [][]float64{{1}}); err == nil {
		t.Error("one row for two units: no error")
	}
	if _, err := Heatmap("x", []string{"A"}, []string{"P", "Q"}, [][]float64{{1}}); err == nil {
		t.Error("one value for two areas: no error")
	}
}
