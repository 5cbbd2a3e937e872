package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/hindsightrca/hindsight/internal/app"
)

// monthlyReportService composes the manager's monthly review.
type monthlyReportService interface {
	MonthlyReport(ctx context.Context, month string) (app.MonthlyReport, error)
}

// monthlyReport handles GET /reports/monthly: the monthly review of month
// (YYYY-MM; default the previous calendar month) as JSON, or with
// format=markdown or csv as a document named after the month.
func (s *server) monthlyReport(c *gin.Context) {
	q := newQuery(c)
	month := q.str("month")
	format := enum(q, "format", app.MonthlyReportFormats)
	if err := q.err(); err != nil {
		s.renderError(c, err)
		return
	}
	r, err := s.svc.MonthlyReport(c.Request.Context(), month)
	if err != nil {
		s.renderError(c, err)
		return
	}
	name := "monthly-report-" + r.Month
	switch format {
	case "markdown":
		c.Header("Content-Disposition", `inline; filename="`+name+`.md"`)
		c.Data(http.StatusOK, "text/markdown; charset=utf-8", []byte(r.Markdown()))
	case "csv":
		c.Header("Content-Disposition", `attachment; filename="`+name+`.csv"`)
		c.Data(http.StatusOK, "text/csv; charset=utf-8", r.CSV())
	default:
		c.JSON(http.StatusOK, r)
	}
}
