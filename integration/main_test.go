package integration

import (
	"os"
	"testing"

	"github.com/cairn-db/cairn/internal/testutil"
)

func TestMain(m *testing.M) { os.Exit(testutil.Main(m)) }
