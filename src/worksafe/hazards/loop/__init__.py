"""The closed loop of a hazard (隐患闭环): report → confirm (五落实 for a major hazard) → rectify →
submit → accept (销号), with listed supervision (挂牌督办), evidence files and overdue escalation."""
