package keyspace

import "testing"

// TestClassFor: the table gives the smallest class that holds n bytes.
func TestClassFor(t *testing.T) {
	for n := 1; n <= maxClassSize; n++ {
		ci := classFor(n)
		if int(classSizes[ci]) < n || ci > 0 && int(classSizes[ci-1]) >= n {
			t.Fatalf("classFor(%d) = class %d of %d bytes", n, ci, classSizes[ci])
		}
	}
}
