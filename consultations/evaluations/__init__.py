"""Third-party public evaluations (第三方评估): organizations, indicators, questionnaires,
responses stored apart from identity, scores, reports and rectification."""
