package datatypes

// AllocSize is a stand-in until the real one lands (rounds to 16).
func AllocSize(n int) int { return (n + 15) &^ 15 }
