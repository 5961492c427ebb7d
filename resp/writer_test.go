package resp

import (
	"bytes"
	"strings"
	"testing"
)

// TestWriterBorrows checks a writer holding large bulks by reference: its
// length, truncation, flattening and writing see the reply as if the bulks
// had been copied, and Borrowing tells whether any writer holds one.
func TestWriterBorrows(t *testing.T) {
	big1 := []byte(strings.Repeat("a", BorrowMin))
	big2 := []byte(strings.Repeat("b", BorrowMin+1))
	var flat Writer
	w := Writer{Borrow: true}
	both := func(f func(w *Writer)) {
		f(&flat)
		f(&w)
	}
	check := func(what string) {
		t.Helper()
		var out bytes.Buffer
		if _, err := w.WriteTo(&out); err != nil {
			t.Fatal(err)
		}
		if w.Len() != flat.Len() || !bytes.Equal(out.Bytes(), flat.Bytes()) {
			t.Fatalf("%s: wrote %d bytes (Len %d), want %d", what, out.Len(), w.Len(), flat.Len())
		}
	}

	both(func(w *Writer) { w.Array(3); w.BulkBorrowed(big1); w.BulkBorrowed([]byte("small")) })
	if len(w.lent) != 1 || !Borrowing() {
		t.Fatalf("%d bulks held, Borrowing %v", len(w.lent), Borrowing())
	}
	check("one bulk held")
	mark := w.Len()
	both(func(w *Writer) { w.BulkBorrowed(big2); w.OK() })
	check("two bulks held")
	both(func(w *Writer) { w.Truncate(mark) })
	check("truncated")
	both(func(w *Writer) { w.BulkBorrowed(big2); w.Int(7) })
	if got, want := w.Since(mark), flat.Bytes()[mark:]; !bytes.Equal(got, want) || len(w.lent) != 1 {
		t.Fatalf("Since: %d bytes, want %d; %d bulks still held, want 1", len(got), len(want), len(w.lent))
	}
	check("tail flattened")
	big1[0] = 'z' // held bulks are the caller's bytes, copied ones are not
	if bytes.Equal(w.Bytes(), flat.Bytes()) || len(w.lent) != 0 || Borrowing() {
		t.Fatalf("Bytes: %d bulks still held, Borrowing %v", len(w.lent), Borrowing())
	}
	w.Reset()
	w.BulkBorrowed(big1)
	w.Truncate(0)
	if w.Len() != 0 || Borrowing() {
		t.Fatalf("after Truncate(0): Len %d, Borrowing %v", w.Len(), Borrowing())
	}
	w.BulkBorrowed(big1)
	w.Reset()
	if w.Len() != 0 || Borrowing() {
		t.Fatalf("after Reset: Len %d, Borrowing %v", w.Len(), Borrowing())
	}
	w.Borrow = false
	w.BulkBorrowed(big1)
	if len(w.lent) != 0 || Borrowing() {
		t.Fatal("a writer that does not borrow held a bulk")
	}
}
