package charts

import (
	"reflect"
	"testing"
)

var radarAxes = []RadarAxis{{"Manajemen Perubahan", 5}, {"Penataan Tata Laksana", 5}, {"Pelayanan Publik", 10}}

func TestRadar(t *testing.T) {
	opt, err := Radar("Area pengungkit", radarAxes, []RadarSeries{
		{"Tanjungsari", []float64{4.5, 3.75, 9.1}},
		{"Sukamaju", []float64{2, 5, 6.25}},
	})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "radar", opt)

	o := parse(t, opt)
	if len(o.Radar.Indicator) != 3 || o.Radar.Indicator[2].Name != "Pelayanan Publik" || o.Radar.Indicator[2].Max != 10 {
		t.Errorf("indicators = %+v", o.Radar.Indicator)
	}
	// One series per unit, each with its one polygon, each in the legend.
	perUnit(t, o, 1, "Tanjungsari", "Sukamaju")
	if want := []string{"Tanjungsari", "Sukamaju"}; !reflect.DeepEqual(o.Legend.Data, want) {
		t.Errorf("legend = %v, want %v", o.Legend.Data, want)
	}
	if got := o.Series[1].Data[0].Value; !reflect.DeepEqual(got, []any{2.0, 5.0, 6.25}) {
		t.Errorf("Sukamaju = %v", got)
	}
}

func TestRadarErrors(t *testing.T) {
	six := make([]RadarSeries, 6)
	for i := range six {
		six[i] = RadarSeries{Name: string(rune('A' + i)), Values: []float64{1, 2, 3}}
	}
	if _, err := Radar("Terlalu banyak", radarAxes, six); err == nil {
		t.Error("six units: no error")
	}
	if _, err := Radar("Lima", radarAxes, six[:5]); err != nil {
		t.Errorf("five units: %v", err)
	}
	if _, err := Radar("Kurang", radarAxes, []RadarSeries{{"A", []float64{1, 2}}}); err == nil {
		t.Error("two values for three axes: no error")
	}
}
