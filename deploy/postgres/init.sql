-- Each service owns its own database (no service reads another's tables).
CREATE DATABASE verzuim_cases;
CREATE DATABASE verzuim_deadlines;
CREATE DATABASE verzuim_notifications;
CREATE DATABASE verzuim_reporting;
