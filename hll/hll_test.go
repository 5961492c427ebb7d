package hll

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"strconv"
	"testing"
)

// header returns a 16-byte header of encoding enc, its cache invalid.
func header(enc byte) []byte {
	return []byte{'H', 'Y', 'L', 'L', enc, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80}
}

// sparseOf returns a sparse HLL of the given opcode bytes.
func sparseOf(ops ...byte) []byte { return append(header(Sparse), ops...) }

func xz(n int) []byte { return appendXZero(nil, n) }

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func TestHLLNew(t *testing.T) {
	want := []byte("HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff")
	if got := New(); !bytes.Equal(got, want) {
		t.Fatalf("New() = %q, want %q", got, want)
	}
	if !Valid(New()) {
		t.Fatal("New() is not valid")
	}
	if c, err := Count(New()); c != 0 || err != nil {
		t.Fatalf("Count(New()) = %d, %v", c, err)
	}
	if c, ok := CachedCard(New()); c != 0 || !ok {
		t.Fatalf("CachedCard(New()) = %d, %v", c, ok)
	}
}

func TestHLLPatLenMatchesRedis(t *testing.T) {
	for _, tc := range redisPatLens {
		index, count := PatLen([]byte(tc.ele))
		if index != tc.index || count != tc.count {
			t.Errorf("PatLen(%q) = %d, %d; redis %d, %d", tc.ele, index, count, tc.index, tc.count)
		}
	}
}

// TestCountsMatchRedis builds the HLLs of redisCounts as PFADD does and
// compares them with Redis's byte for byte (through their SHA-1), then
// their counts.
func TestHLLCountsMatchRedis(t *testing.T) {
	for _, tc := range redisCounts {
		if testing.Short() && tc.n > 20000 {
			continue
		}
		var x Buffer
		x.LoadNew()
		for i := 1; i <= tc.n; i++ {
			if _, err := x.Add([]byte(strconv.Itoa(i)), tc.sparseMax); err != nil {
				t.Fatal(err)
			}
		}
		InvalidateCache(x.Bytes()) // as PFADD of a new key leaves it
		b := x.Bytes()
		sum := sha1.Sum(b)
		enc := map[byte]string{Dense: "dense", Sparse: "sparse"}[Encoding(b)]
		if got := hex.EncodeToString(sum[:]); got != tc.sha1 || len(b) != tc.length || enc != tc.encoding {
			t.Errorf("n=%d sparseMax=%d: %d bytes %s sha1 %s; redis %d bytes %s sha1 %s",
				tc.n, tc.sparseMax, len(b), enc, got, tc.length, tc.encoding, tc.sha1)
		}
		c, err := Count(b)
		if err != nil || c != tc.count {
			t.Errorf("n=%d sparseMax=%d: Count = %d, %v; redis %d", tc.n, tc.sparseMax, c, err, tc.count)
		}
	}
}

func TestHLLDenseRegisters(t *testing.T) {
	regs := make([]byte, Registers*Bits/8)
	var want [Registers]uint8
	r := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		for i := range want {
			want[i] = uint8(r.IntN(RegisterMax + 1))
			setDenseRegister(regs, i, want[i])
		}
		for i, w := range want {
			if v := DenseRegister(regs, i); v != w {
				t.Fatalf("register %d = %d, want %d", i, v, w)
			}
		}
	}
	// Setting one register leaves its neighbours alone.
	for _, i := range []int{0, 1, 2, 3, 4, 5, Registers - 2, Registers - 1} {
		clear(regs)
		setDenseRegister(regs, i, RegisterMax)
		for j := range Registers {
			want := uint8(0)
			if j == i {
				want = RegisterMax
			}
			if v := DenseRegister(regs, j); v != want {
				t.Fatalf("after setting %d: register %d = %d", i, j, v)
			}
		}
	}
}

// TestSparseDenseRoundTrip adds the same elements to a sparse HLL (which
// may stay sparse, kept so by a large sparseMax) and to dense registers:
// the sparse one made dense has the same registers, and all count alike.
func TestHLLSparseDenseRoundTrip(t *testing.T) {
	for _, n := range []int{0, 1, 10, 100, 1000, 5000, 30000} {
		var x Buffer
		x.LoadNew()
		dense := append(header(Dense), make([]byte, DenseSize-HeaderSize)...)
		r := rand.New(rand.NewPCG(uint64(n), 7))
		for range n {
			e := strconv.AppendUint(nil, r.Uint64(), 36)
			changed, err := x.Add(e, 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			if dc := DenseAdd(dense[HeaderSize:], e); dc != changed {
				t.Fatalf("n=%d: %q changed the sparse HLL: %v, the dense: %v", n, e, changed, dc)
			}
		}
		sparse := append([]byte(nil), x.Bytes()...)
		cs, err := Count(sparse)
		if err != nil {
			t.Fatal(err)
		}
		cd, _ := Count(dense)
		if cs != cd {
			t.Fatalf("n=%d: sparse counts %d, dense %d", n, cs, cd)
		}
		var max [Registers]uint8
		if err := Merge(&max, sparse); err != nil {
			t.Fatal(err)
		}
		if c := CountRegisters(&max); c != cd {
			t.Fatalf("n=%d: merged registers count %d, dense %d", n, c, cd)
		}
		converted, err := x.ToDense()
		if err != nil || converted != (Encoding(sparse) == Sparse) {
			t.Fatalf("n=%d: ToDense = %v, %v", n, converted, err)
		}
		if !bytes.Equal(x.Bytes()[HeaderSize:], dense[HeaderSize:]) {
			t.Fatalf("n=%d: the sparse HLL made dense differs from the dense one", n)
		}
		if !bytes.Equal(x.Bytes()[:HeaderSize], append(header(Dense)[:8:8], sparse[8:16]...)) {
			t.Fatalf("n=%d: header %q after ToDense of %q", n, x.Bytes()[:HeaderSize], sparse[:HeaderSize])
		}
	}
}

// TestPromotion checks the two ways a sparse HLL becomes dense: past
// sparseMax bytes (the last sparse length within it), and a register above
// 32.
func TestHLLPromotion(t *testing.T) {
	for _, sparseMax := range []int64{0, 18, 19, 100, 3000} {
		var x Buffer
		x.LoadNew()
		lastSparse := len(x.Bytes())
		for i := 0; Encoding(x.Bytes()) == Sparse; i++ {
			if _, err := x.Add([]byte(strconv.Itoa(i)), sparseMax); err != nil {
				t.Fatal(err)
			}
			if Encoding(x.Bytes()) == Sparse {
				lastSparse = len(x.Bytes())
				if int64(lastSparse) > max(sparseMax, 18) {
					t.Fatalf("sparseMax %d: sparse HLL of %d bytes", sparseMax, lastSparse)
				}
			}
		}
		if len(x.Bytes()) != DenseSize || !Valid(x.Bytes()) {
			t.Fatalf("sparseMax %d: promoted to %d bytes", sparseMax, len(x.Bytes()))
		}
		if sparseMax >= 100 && int64(lastSparse) < sparseMax-3 {
			t.Errorf("sparseMax %d: promoted at %d bytes", sparseMax, lastSparse)
		}
	}

	var x Buffer
	x.LoadNew()
	x.Add([]byte("a"), 3000)
	big := []byte("\xbdE.\x80\x00") // a run of 33
	if changed, err := x.Add(big, 3000); !changed || err != nil {
		t.Fatalf("Add = %v, %v", changed, err)
	}
	if Encoding(x.Bytes()) != Dense {
		t.Fatal("a register of 33 did not make the HLL dense")
	}
	index, _ := PatLen(big)
	if v := DenseRegister(x.Bytes()[HeaderSize:], index); v != 33 {
		t.Fatalf("register %d = %d, want 33", index, v)
	}
	if changed, _ := x.Add(big, 3000); changed {
		t.Fatal("adding the element again changed the HLL")
	}
}

// TestSparseSetCases exercises each case of hllSparseSet on small HLLs
// written by hand, comparing the opcodes with what Redis makes of them.
func TestHLLSparseSetCases(t *testing.T) {
	for _, tc := range []struct {
		name  string
		ops   []byte
		index int
		count uint8
		want  string // Decode after; "" for no change
	}{
		{"XZERO split in the middle", xz(16384), 1000, 3, "Z:1000 v:3,1 Z:15383"},
		{"XZERO split at the start", xz(16384), 0, 2, "v:2,1 Z:16383"},
		{"XZERO split at the end", xz(16384), 16383, 2, "Z:16383 v:2,1"},
		{"XZERO split into ZEROs", cat(xz(16300), xz(84)), 16340, 5, "Z:16300 z:40 v:5,1 z:43"},
		{"ZERO of one becomes a VAL", cat(xz(100), []byte{0x00}, xz(16283)), 100, 4, "Z:100 v:4,1 Z:16283"},
		{"VAL of one rises", cat(xz(100), []byte{valOp(2, 1)}, xz(16283)), 100, 4, "Z:100 v:4,1 Z:16283"},
		{"VAL as high: no change", cat(xz(100), []byte{valOp(4, 1)}, xz(16283)), 100, 4, ""},
		{"VAL higher: no change", cat(xz(100), []byte{valOp(4, 3)}, xz(16281)), 101, 2, ""},
		{"VAL run split", cat(xz(100), []byte{valOp(2, 4)}, xz(16280)), 101, 3, "Z:100 v:2,1 v:3,1 v:2,2 Z:16280"},
		{"VAL merges with its neighbours", cat(xz(100), []byte{valOp(3, 1), 0x00, valOp(3, 1)}, xz(16281)), 101, 3, "Z:100 v:3,3 Z:16281"},
		{"VALs merge up to 4", cat(xz(100), []byte{valOp(3, 2), 0x00, valOp(3, 2)}, xz(16279)), 102, 3, "Z:100 v:3,3 v:3,2 Z:16279"},
	} {
		var x Buffer
		x.Load(sparseOf(tc.ops...))
		before := Decode(x.Bytes())
		changed, err := x.Set(tc.index, tc.count, 3000)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		got := Decode(x.Bytes())
		if tc.want == "" {
			if changed || got != before {
				t.Errorf("%s: changed to %s", tc.name, got)
			}
			continue
		}
		if !changed || got != tc.want {
			t.Errorf("%s: %v %s, want %s", tc.name, changed, got, tc.want)
		}
		if _, valid := CachedCard(x.Bytes()); valid {
			t.Errorf("%s: the cache is still valid", tc.name)
		}
		if _, err := Count(x.Bytes()); err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

func TestHLLValid(t *testing.T) {
	dense := append(header(Dense), make([]byte, DenseSize-HeaderSize)...)
	for _, tc := range []struct {
		b    []byte
		want bool
	}{
		{New(), true},
		{dense, true},
		{sparseOf(), true}, // no registers: found corrupt when read
		{[]byte("HYLL"), false},
		{header(Sparse)[:15], false},
		{append([]byte("HYLX"), New()[4:]...), false},
		{append([]byte("HYLL\x02"), New()[5:]...), false},
		{append([]byte("HYLL\xff"), New()[5:]...), false},
		{dense[:DenseSize-1], false},
		{append(dense, 0), false},
		{append(header(Dense), xz(16384)...), false},
	} {
		if got := Valid(tc.b); got != tc.want {
			t.Errorf("Valid(%q) = %v", tc.b, got)
		}
	}
}

// TestCorrupt checks that every reader refuses, with ErrInvalid, sparse
// registers that do not add up to exactly Registers.
func TestHLLCorrupt(t *testing.T) {
	for _, ops := range [][]byte{
		nil,
		xz(16383),
		cat(xz(16384), []byte{0x00}),
		cat(xz(16384), []byte{valOp(1, 1)}),
		cat(xz(16380), []byte{valOp(1, 4), valOp(1, 1)}),
		cat(xz(8192), xz(8192), xz(8192)),
		{0x7f}, // an XZERO cut short: 16129 registers
	} {
		b := sparseOf(ops...)
		if _, err := Count(b); !errors.Is(err, ErrInvalid) {
			t.Errorf("Count(%q) = %v", ops, err)
		}
		var max [Registers]uint8
		if err := Merge(&max, b); !errors.Is(err, ErrInvalid) {
			t.Errorf("Merge(%q) = %v", ops, err)
		}
		var x Buffer
		x.Load(b)
		if _, err := x.ToDense(); !errors.Is(err, ErrInvalid) {
			t.Errorf("ToDense(%q) = %v", ops, err)
		}
		if !bytes.Equal(x.Bytes(), b) {
			t.Errorf("ToDense(%q) changed it", ops)
		}
	}
	// A register past the opcodes cannot be found.
	for _, ops := range [][]byte{nil, xz(16383)} {
		var x Buffer
		x.Load(sparseOf(ops...))
		if _, err := x.Set(Registers-1, 1, 3000); !errors.Is(err, ErrInvalid) {
			t.Errorf("Set(%q) = %v", ops, err)
		}
	}
	// An XZERO cut short by the end takes the terminating zero as its
	// second byte, as in Redis: 0x40 is then one register.
	b := sparseOf(cat(xz(16383), []byte{0x40})...)
	if c, err := Count(b); c != 0 || err != nil {
		t.Errorf("Count of a cut XZERO = %d, %v", c, err)
	}
	if got := Decode(b); got != "Z:16383 Z:1" {
		t.Errorf("Decode = %q", got)
	}
	// Registers short of 16384: the ones covered are updated (and stay
	// so), the others are an error.
	var x Buffer
	x.Load(sparseOf(xz(8192)...))
	if changed, err := x.Set(10, 2, 3000); !changed || err != nil {
		t.Fatalf("Set(10) = %v, %v", changed, err)
	}
	if _, err := x.Set(9000, 2, 3000); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Set(9000) = %v", err)
	}
	if got := Decode(x.Bytes()); got != "z:10 v:2,1 Z:8181" {
		t.Fatalf("Decode = %q", got)
	}
	// Promotion of a corrupt HLL fails and changes nothing.
	x.Load(sparseOf(xz(8192)...))
	if _, err := x.Set(10, 40, 3000); !errors.Is(err, ErrInvalid) || Encoding(x.Bytes()) != Sparse {
		t.Fatalf("Set(10, 40) = %v", err)
	}
}

func TestHLLCachedCard(t *testing.T) {
	b := New()
	SetCachedCard(b, 12345)
	if c, ok := CachedCard(b); c != 12345 || !ok {
		t.Fatalf("CachedCard = %d, %v", c, ok)
	}
	if !bytes.Equal(b[8:16], []byte{0x39, 0x30, 0, 0, 0, 0, 0, 0}) {
		t.Fatalf("card bytes %x", b[8:16])
	}
	InvalidateCache(b)
	if _, ok := CachedCard(b); ok || b[15] != 0x80 {
		t.Fatalf("after InvalidateCache: %x", b[8:16])
	}
}

func TestHLLMergeUnion(t *testing.T) {
	var a, b, both Buffer
	a.LoadNew()
	b.LoadNew()
	both.LoadNew()
	for i := range 3000 {
		e := []byte(strconv.Itoa(i))
		if i < 2000 {
			a.Add(e, 3000)
		}
		if i >= 1000 {
			b.Add(e, 3000)
		}
		both.Add(e, 3000)
	}
	var max [Registers]uint8
	if err := Merge(&max, a.Bytes()); err != nil {
		t.Fatal(err)
	}
	if err := Merge(&max, b.Bytes()); err != nil {
		t.Fatal(err)
	}
	want, _ := Count(both.Bytes())
	if got := CountRegisters(&max); got != want {
		t.Fatalf("union counts %d, the HLL of all %d", got, want)
	}
}

// TestHLLEstimatorEdges checks the estimator at the ends of its range
// against the counts Redis gave for dense HLLs of these registers (PFCOUNT
// of several keys, which counts the merged registers): past 2^63, Redis's
// llroundl gives up and the count is 2^63 (replied as -2^63).
func TestHLLEstimatorEdges(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  func(i int) uint8
		want uint64
	}{
		{"empty", func(int) uint8 { return 0 }, 0},
		{"all 48", func(int) uint8 { return 48 }, 3326628274461080576},
		{"all 49", func(int) uint8 { return 49 }, 6653256548922161152},
		{"all 50", func(int) uint8 { return 50 }, 1 << 63},
		{"all 51", func(int) uint8 { return 51 }, 1 << 63},
		{"all 52", func(int) uint8 { return 52 }, 1 << 63},
		{"all 63", func(int) uint8 { return 63 }, 1 << 63},
		{"half 50", func(i int) uint8 { return uint8(50 * (1 - i/(Registers/2))) }, 13268},
	} {
		var max [Registers]uint8
		for i := range max {
			max[i] = tc.set(i)
		}
		if got := CountRegisters(&max); got != tc.want {
			t.Errorf("%s: %d, redis %d", tc.name, got, tc.want)
		}
	}
}

func TestHLLSelfTest(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("ten million elements")
	}
	r := rand.New(rand.NewPCG(3, 4))
	if err := SelfTest(3000, r.Uint32); err != nil {
		t.Fatal(err)
	}
}
