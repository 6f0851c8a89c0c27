"""Reporting's pages: each sub-domain lists its own routes (summaries/, reports/, assessment/)."""

from .assessment.urls import urlpatterns as assessment_urls
from .reports.urls import urlpatterns as report_urls
from .summaries.urls import urlpatterns as summary_urls

app_name = "reporting"
urlpatterns = [*summary_urls, *report_urls, *assessment_urls]
