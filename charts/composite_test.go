package charts

import (
	"math"
	"reflect"
	"testing"
)

func TestComposite(t *testing.T) {
	units := []string{"Tanjungsari", "Sukamaju", "Wanasari"}
	parts := []CompositePart{
		{"Zona Integritas", []float64{36.008, 30.335, 20}},
		{"IKM", []float64{25.504, 20.335, 10.5}},
		{"SAKIP", []float64{20.2, 10.335, 0}},
	}
	opt, err := Composite("Indeks komposit", units, parts)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "composite", opt)

	o := parse(t, opt)
	perUnit(t, o, 3, "Zona Integritas", "IKM", "SAKIP")
	top := []string{"Wanasari", "Sukamaju", "Tanjungsari"} // the first unit on top
	if !reflect.DeepEqual(o.YAxis[0].Data, top) {
		t.Errorf("categories = %v, want %v", o.YAxis[0].Data, top)
	}
	for _, s := range o.Series {
		if s.Stack != "komposit" {
			t.Errorf("%s stack = %q", s.Name, s.Stack)
		}
		if !reflect.DeepEqual(names(s), top) {
			t.Errorf("%s order = %v", s.Name, names(s))
		}
	}
	// The stacked parts add up to each unit's composite index.
	for i, u := range units {
		var want, got float64
		for k, p := range parts {
			want += p.Values[i]
			got += o.Series[k].Data[len(units)-1-i].Value.(float64)
		}
		if math.Abs(got-want) > 0.01 {
			t.Errorf("%s: stack sums to %v, composite is %v", u, got, want)
		}
	}
}

func TestCompositeErrors(t *testing.T) {
	if _, err := Composite("x", []string{"A", "B"}, []CompositePart{{"ZI", []float64{1}}}); err == nil {
		t.Error("one value for two units: no error")
	}
}

func TestRoundToSum(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   []float64
		want []float64
	}{
		{"sudah bulat", []float64{32.95, 41.18, 0.29}, []float64{32.95, 41.18, 0.29}},
		{"sisa ke yang terbesar", []float64{10.335, 20.335, 30.335}, []float64{10.34, 20.34, 30.33}},
		{"tiga sepertiga", []float64{100.0 / 3, 100.0 / 3, 100.0 / 3}, []float64{33.34, 33.33, 33.33}},
		{"kosong", nil, []float64{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := roundToSum(tt.in)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("roundToSum(%v) = %v, want %v", tt.in, got, tt.want)
			}
			var sum, rsum float64
			for i := range tt.in {
				sum += tt.in[i]
				rsum += got[i]
			}
			if math.Abs(rsum-math.Round(sum*100)/100) > 1e-9 {
				t.Errorf("rounded parts sum to %v, the rounded sum is %v", rsum, math.Round(sum*100)/100)
			}
		})
	}
}
