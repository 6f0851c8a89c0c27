"""The two lists (两个清单): the problem list (问题隐患清单, a view of the hazards) and the measures
list (制度措施清单: measures and their milestones), with the hazard statistics page."""
