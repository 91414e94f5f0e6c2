-- When each port was last found open, for the inventory document: open
-- rows are few among the up to 65,535 of a scan, so a partial index finds
-- them without reading the rest.
CREATE INDEX port_observations_open ON port_observations (address, protocol, port)
    WHERE state = 'open';
