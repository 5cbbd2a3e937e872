package slack

import (
	"github.com/hindsightrca/hindsight/importers/importertest"
)

type recorder = importertest.Recorder
