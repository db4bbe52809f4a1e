// An E2E suite as our first users write theirs (Ginkgo v2 + Gomega, the service over HTTP), with
// one addition: each spec runs under its own coverage context, so pycov-harvest's reports say
// which spec ran which line of the service.
//
//	PYCOV_HARVEST_CLI=/path/to/dist/cli.js PYCOV_HARVEST_SERVE_ARGS="--target docker --selector app=api" \
//	  SERVICE_URL=http://127.0.0.1:8000 go test ./...
//
// (or PYCOV_HARVEST_SERVE_URL=http://127.0.0.1:9898/context for a serve started elsewhere).
package example_test

import (
	"context"
	"os"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	pycovharvest "github.com/pycov-harvest/pycov-harvest/clients/go"
)

var coverage *pycovharvest.Client

func TestExample(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "example")
}

var _ = BeforeSuite(func(ctx SpecContext) {
	var err error
	coverage, err = pycovharvest.FromEnv(ctx)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(func(ctx SpecContext) {
		Expect(coverage.Clear(ctx)).To(Succeed())
		Expect(coverage.Close()).To(Succeed())
	})
})

// Top-level, so it runs before every spec's own BeforeEach: their setup is the spec's too.
var _ = BeforeEach(func(ctx SpecContext) {
	_, err := coverage.Switch(ctx, CurrentSpecReport().FullText())
	Expect(err).NotTo(HaveOccurred())
	// Between specs nothing is any spec's (the next spec's switch would do, but a probe that
	// lands in between is nobody's this way).
	DeferCleanup(func(ctx context.Context) {
		Expect(coverage.Clear(ctx)).To(Succeed())
	})
})

func serviceURL() string {
	url := os.Getenv("SERVICE_URL")
	Expect(url).NotTo(BeEmpty(), "set SERVICE_URL to the service, e.g. http://127.0.0.1:8000")
	return url
}
