"""Drug-like interventions: schedules, mechanisms acting on the kinetic networks, a drug library."""
