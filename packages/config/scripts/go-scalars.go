// Regenerates ../test/golden/go-scalars.json: what Go's own strconv and time packages make of a
// table of inputs (hand-picked edge cases plus deterministic pseudo-random strings), so the
// TypeScript parsers are checked against the real thing rather than against our reading of it.
//
//	cd packages/config && go run scripts/go-scalars.go > test/golden/go-scalars.json
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"os"
	"strconv"
	"time"
)

type durationCase struct {
	In string `json:"in"`
	Ok bool   `json:"ok"`
	Ns string `json:"ns,omitempty"`
}

type floatCase struct {
	In   string `json:"in"`
	Ok   bool   `json:"ok"`
	Err  string `json:"err,omitempty"`
	Bits string `json:"bits,omitempty"`
}

type intCase struct {
	In    string `json:"in"`
	Ok    bool   `json:"ok"`
	Err   string `json:"err,omitempty"`
	Value int64  `json:"value,omitempty"`
}

type boolCase struct {
	In    string `json:"in"`
	Ok    bool   `json:"ok"`
	Value bool   `json:"value,omitempty"`
}

type durationMath struct {
	Ns      string `json:"ns"`
	String  string `json:"string"`
	Round1s string `json:"round1s"`
	Trunc1s string `json:"trunc1s"`
}

type panicWindow struct {
	StableNs string  `json:"stableNs"`
	Percent  float64 `json:"percent"`
	PanicNs  string  `json:"panicNs"`
}

type golden struct {
	Durations    []durationCase `json:"durations"`
	Floats       []floatCase    `json:"floats"`
	Int32s       []intCase      `json:"int32s"`
	Bools        []boolCase     `json:"bools"`
	DurationMath []durationMath `json:"durationMath"`
	PanicWindows []panicWindow  `json:"panicWindows"`
}

func errKind(err error) string {
	switch {
	case errors.Is(err, strconv.ErrRange):
		return "range"
	case err != nil:
		return "syntax"
	}
	return ""
}

func randomString(r *rand.Rand, alphabet []rune, maxLen int) string {
	n := 1 + r.Intn(maxLen)
	out := make([]rune, n)
	for i := range out {
		out[i] = alphabet[r.Intn(len(alphabet))]
	}
	return string(out)
}

func main() {
	r := rand.New(rand.NewSource(20260324))
	durations := []string{"", "0", "+0", "-0", "00", "0s", "60s", "1m30s", "1h", "500ms", "1.5h", "1.5s", ".5s", "5.s", ".s",
		"-.s", "1", "s", "1S", "1sec", "1 s", " 1s", "1s ", "1h2m3s4ms5us6ns", "1µs", "1μs", "1us", "2562047h47m16.854775807s",
		"2562047h47m16.854775808s", "-2562047h47m16.854775808s", "-2562047h47m16.854775809s", "9223372036854775807ns",
		"9223372036854775808ns", "-9223372036854775808ns", "99999999999999999999ns", "1.000000000000000000001s",
		"0.1234567890123456789012345h", "1e3s", "1_000s", "1.5.5s", "1..5s", "-1s", "+1s", "--1s", "6s", "5.9s", "3600s",
		"3600.000000001s", "1h0m0.5s", "0.0000000001s", "1.0000000001s", "15m", "2h", "0.5ms", "1.2345678912345h"}
	durAlphabet := []rune("0123456789.smhunµ-+_ ")
	for i := 0; i < 300; i++ {
		durations = append(durations, randomString(r, durAlphabet, 8))
	}
	floats := []string{"", "0", "-0", "+0", "70", "0.7", "1.0", ".5", "5.", ".", "-.", "1e3", "1E3", "1e", "1e+", "1e-3", "1_000",
		"_1", "1_", "1__0", "1_.5", "1._5", "0_1", "1e5_0", "1e_5", "1_e5", "inf", "+Inf", "-INF", "infinity", "-Infinity", "infin",
		"nan", "NaN", "+nan", "-nan", "1e400", "-1e400", "1e-400", "0x1p-2", "0X1P+2", "0x1.8p1", "0x1", "0x", "0xp1", "0x.p1",
		"0x_1p0", "0x1_0p0", "0x1p1_0", "0x1.fffffffffffff8p1023", "0x1.fffffffffffff7p1023", "0x1p-1074", "0x1p-1075",
		"0x1.00000000000008p0", "0x1.00000000000018p0", "0x1.000000000000081p0", "1.7976931348623157e308",
		"1.7976931348623159e308", "4.9e-324", "2.4e-324", "0.1", "0.30000000000000004", " 1", "1 ", "1,5", "١", "0o7", "0b1",
		"+", "-", "e5", "200", "211", "-1", "0.01", "110", "1000", "123456789012345678901234567890"}
	floatAlphabet := []rune("0123456789.eE+-_xXpPabcdfinNIFty")
	for i := 0; i < 300; i++ {
		floats = append(floats, randomString(r, floatAlphabet, 7))
	}
	ints := []string{"", "0", "-0", "+0", "007", "1", "-1", "+5", "1.0", "1e3", "1_000", " 1", "1 ", "2147483647", "2147483648",
		"-2147483648", "-2147483649", "4294967295", "4294967296", "3000000000x", "5000000000x", "99999999999999999999", "+", "-",
		"0x10", "١"}
	intAlphabet := []rune("0123456789+-_ x")
	for i := 0; i < 100; i++ {
		ints = append(ints, randomString(r, intAlphabet, 12))
	}
	bools := []string{"", "1", "0", "t", "T", "f", "F", "true", "TRUE", "True", "tRuE", "false", "FALSE", "False", "fAlSe",
		"yes", "no", "on", "off", " true", "true ", "2"}

	var g golden
	for _, s := range durations {
		d, err := time.ParseDuration(s)
		c := durationCase{In: s, Ok: err == nil}
		if err == nil {
			c.Ns = strconv.FormatInt(int64(d), 10)
		}
		g.Durations = append(g.Durations, c)
	}
	for _, s := range floats {
		f, err := strconv.ParseFloat(s, 64)
		c := floatCase{In: s, Ok: err == nil, Err: errKind(err)}
		if err == nil {
			c.Bits = fmt.Sprintf("%016x", math.Float64bits(f))
		}
		g.Floats = append(g.Floats, c)
	}
	for _, s := range ints {
		v, err := strconv.ParseInt(s, 10, 32)
		g.Int32s = append(g.Int32s, intCase{In: s, Ok: err == nil, Err: errKind(err), Value: v * int64(btoi(err == nil))})
	}
	for _, s := range bools {
		v, err := strconv.ParseBool(s)
		g.Bools = append(g.Bools, boolCase{In: s, Ok: err == nil, Value: v})
	}
	nss := []int64{0, 1, 999, 1000, 1500, 999999, 1000000, 1500000, 499999999, 500000000, 1500000000, -1500000000, 2500000000,
		59999999999, 60000000000, 61000000000, 3600000000000, 3661000000000, 3600000000001, 90061500000000, math.MaxInt64, math.MinInt64 + 1}
	for i := 0; i < 50; i++ {
		nss = append(nss, r.Int63n(7_200_000_000_000)-1_000_000_000)
	}
	for _, ns := range nss {
		d := time.Duration(ns)
		g.DurationMath = append(g.DurationMath, durationMath{Ns: strconv.FormatInt(ns, 10), String: d.String(),
			Round1s: strconv.FormatInt(int64(d.Round(time.Second)), 10), Trunc1s: strconv.FormatInt(int64(d.Truncate(time.Second)), 10)})
	}
	percents := []float64{1, 1.5, 5, 9.99, 10, 12.5, 33.3, 50, 99.9, 100}
	for _, sec := range []int64{6, 7, 10, 15, 59, 60, 61, 95, 600, 3599, 3600} {
		for _, p := range percents {
			stable := time.Duration(sec) * time.Second
			panicW := time.Duration(float64(stable) * p / 100.0).Round(time.Second)
			if panicW < time.Second {
				panicW = time.Second
			}
			g.PanicWindows = append(g.PanicWindows, panicWindow{StableNs: strconv.FormatInt(int64(stable), 10), Percent: p,
				PanicNs: strconv.FormatInt(int64(panicW), 10)})
		}
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	if err := enc.Encode(g); err != nil {
		panic(err)
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
