"""worksafe: the system that runs a county's work-safety special rectification plan."""
