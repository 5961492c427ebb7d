package keyspace

import (
	"slices"
	"testing"
)

// FuzzStore reads its input as a sequence of operations on two databases
// (storeOps in store_test.go): an op byte, a database byte, the op's own
// choices, a byte each, two for a length (key number, value size, expiry
// time...), and a byte that says whether the command ends there. After
// every operation the touched keys are compared with the model and both
// databases' invariants checked; at the end the whole contents.
func FuzzStore(f *testing.F) {
	// cmd encodes an operation as step reads it: the op, its database
	// and choices, then a byte that ends the command.
	cmd := func(name string, choices ...byte) []byte {
		for i, o := range storeOps {
			if o.name == name {
				return append(append([]byte{byte(i)}, choices...), 1)
			}
		}
		panic("no op " + name)
	}
	// sameCommand makes the next operation part of the same command.
	sameCommand := func(b []byte) []byte {
		b[len(b)-1] = 0
		return b
	}
	// Key numbers: 0 is "", 5 a 4080-byte key, 7 a 5000-byte one (a big
	// record), 14 a 4092-byte one; sizes are indexes into refValueSizes
	// or, past its end, two bytes of length.
	var collections []byte
	for i := range byte(25) {
		collections = slices.Concat(collections,
			// Three text members each: past the 64 of a compact set.
			cmd("SetAdd", 0, 4, 2, 0, 3*i, 0, 3*i+1, 0, 3*i+2),
			// Values of 30 bytes, then one of 70: a listpack hash, then
			// a hashtable.
			cmd("HashSet", 1, 6, i, 30+40*(i/24)),
			// Three elements of 59 bytes: past a compact list's 2 KiB.
			cmd("ListPush", 0, 9, 2, 59, 59, 59))
	}
	seeds := [][]byte{
		{},
		// A 7-byte value under a 4080-byte key: with an expiry time the
		// record is big, without it fits the largest class.
		slices.Concat(cmd("SetWithExpire", 0, 5, 2, 2, 30), cmd("Persist", 0, 5), cmd("SetExpire", 0, 5, 3, 9)),
		// A long string with an expiry time, shrunk to an inline one.
		slices.Concat(cmd("SetWithExpire", 1, 3, 14, 3, 5), cmd("SetKeepTTL", 1, 3, 2), cmd("Rename", 1, 3, 7)),
		// Strings appended across the inline limit, then expiry reached.
		slices.Concat(cmd("Set", 0, 14, 9), cmd("Append", 0, 14, 11), cmd("Append", 0, 14, 11),
			cmd("SetExpire", 0, 14, 2, 1), cmd("advance", 0, 19), cmd("ExpireStep", 0, 7), cmd("Scan", 0, 3)),
		// Collections grown past their compact forms, moved and swapped.
		slices.Concat(collections, cmd("SetExpire", 0, 9, 2, 40), cmd("Move", 0, 9), cmd("SwapDB", 1), cmd("Move", 1, 4)),
		// A list created and changed in one command, then renamed.
		slices.Concat(sameCommand(cmd("ListPush", 0, 2, 0, 5)), sameCommand(cmd("ListPush", 0, 2, 0, 5)), cmd("Rename", 0, 2, 3)),
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		h := newStoreHarness(t)
		p := &bytePicker{data: data}
		// Bound the work per input: each step checks both databases.
		for len(p.data) > 0 && h.steps < 150 {
			h.step(p)
		}
		h.checkAll()
	})
}
