package main

import (
	"math"
	"testing"
)

func TestPairedBootstrap(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name        string
		a, b        []float64
		first, step int
		wantOK      bool
		wantMean    float64
		wantN       int
		collapsed   bool // every difference equal: the interval is that value
	}{
		{name: "equal differences", a: []float64{0.9, 0.7, 0.5}, b: []float64{0.8, 0.6, 0.4}, step: 1,
			wantOK: true, wantMean: 0.1, wantN: 3, collapsed: true},
		{name: "left-out post-mortems are skipped", a: []float64{0.9, nan, 0.5, 0.2}, b: []float64{0.4, 0.3, nan, 0.2}, step: 1,
			wantOK: true, wantMean: 0.25, wantN: 2},
		{name: "odd half", a: []float64{1, 0.5, 1, 0.25}, b: []float64{0, 0, 0, 0}, first: 1, step: 2,
			wantOK: true, wantMean: 0.375, wantN: 2},
		{name: "none scored", a: []float64{nan}, b: []float64{0.3}, step: 1},
		{name: "one side not measured", a: []float64{0.5}, b: nil, step: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			iv, ok := pairedBootstrap(tt.a, tt.b, tt.first, tt.step, 2000, 1)
			if ok != tt.wantOK {
				t.Fatalf("ok = %v, want %v", ok, tt.wantOK)
			}
			if !ok {
				return
			}
			if math.Abs(iv.mean-tt.wantMean) > 1e-12 || iv.n != tt.wantN {
				t.Errorf("mean %v over %d, want %v over %d", iv.mean, iv.n, tt.wantMean, tt.wantN)
			}
			if !(iv.lo <= iv.mean && iv.mean <= iv.hi) {
				t.Errorf("interval [%v, %v] does not hold the mean %v", iv.lo, iv.hi, iv.mean)
			}
			if tt.collapsed && (math.Abs(iv.lo-tt.wantMean) > 1e-12 || math.Abs(iv.hi-tt.wantMean) > 1e-12) {
				t.Errorf("interval [%v, %v], want [%v, %v]", iv.lo, iv.hi, tt.wantMean, tt.wantMean)
			}
		})
	}
}

func TestPairedBootstrap_Spread(t *testing.T) {
	// 200 differences alternating -1 and +1: mean 0, standard error
	// 1/sqrt(200) ≈ 0.071, so the 95% interval is about ±0.14.
	a, b := make([]float64, 200), make([]float64, 200)
	for i := range a {
		a[i] = float64(i % 2 * 2)
		b[i] = 1
	}
	iv, ok := pairedBootstrap(a, b, 0, 1, 10_000, 7)
	if !ok {
		t.Fatal("not ok")
	}
	if iv.lo > -0.10 || iv.lo < -0.18 || iv.hi < 0.10 || iv.hi > 0.18 {
		t.Errorf("interval [%.3f, %.3f], want about ±0.14", iv.lo, iv.hi)
	}
	again, _ := pairedBootstrap(a, b, 0, 1, 10_000, 7)
	if again != iv {
		t.Errorf("same seed gave %+v then %+v", iv, again)
	}
}

func TestClearlyAbove(t *testing.T) {
	// 60 post-mortems; a's lead over b is d[q] on post-mortem q.
	with := func(d func(q int) float64) (a, b []float64) {
		for q := range 60 {
			b = append(b, 0.5)
			a = append(a, 0.5+d(q))
		}
		return a, b
	}
	tests := []struct {
		name string
		d    func(q int) float64
		want bool
	}{
		{"ahead on every post-mortem", func(q int) float64 { return 0.05 + 0.01*float64(q%3) }, true},
		{"as often behind as ahead", func(q int) float64 { return 0.2 * float64(q%2*2-1) * float64(q%5) }, false},
		{"ahead on average, carried by the even half", func(q int) float64 {
			if q%2 == 0 {
				return 0.3
			}
			return -0.02 * float64(q%4)
		}, false},
		{"the same ranking", func(int) float64 { return 0 }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := with(tt.d)
			got, why := clearlyAbove(a, b)
			if got != tt.want {
				t.Errorf("clearlyAbove = %v (%s), want %v", got, why, tt.want)
			}
		})
	}
	if ok, why := clearlyAbove([]float64{0.9}, nil); ok || why != "not measured" {
		t.Errorf("one side not measured: %v %q", ok, why)
	}
}
