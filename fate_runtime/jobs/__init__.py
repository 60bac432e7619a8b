"""Jobs across parties: the initiator's scheduler, the party side, who may drive a job, and what queries read."""
