package example_test

import (
	"encoding/json"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var web = &http.Client{Timeout: 10 * time.Second}

func get(path string) (int, map[string]any) {
	res, err := web.Get(serviceURL() + path)
	Expect(err).NotTo(HaveOccurred())
	defer res.Body.Close()
	var body map[string]any
	Expect(json.NewDecoder(res.Body).Decode(&body)).To(Succeed())
	return res.StatusCode, body
}

var _ = Describe("items", func() {
	It("calls 2 even", func() {
		status, body := get("/items/2")
		Expect(status).To(Equal(http.StatusOK))
		Expect(body).To(HaveKeyWithValue("kind", "even"))
	})

	It("calls 3 odd", func() {
		status, body := get("/items/3")
		Expect(status).To(Equal(http.StatusOK))
		Expect(body).To(HaveKeyWithValue("kind", "odd"))
	})
})

var _ = Describe("divide", func() {
	It("refuses a zero divisor", func() {
		status, _ := get("/divide?a=1&b=0")
		Expect(status).To(Equal(http.StatusBadRequest))
	})
})
