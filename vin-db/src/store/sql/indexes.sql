-- Keys and indexes of a dataset, built after its rows are loaded (faster than
-- maintaining them row by row). The same text runs on Postgres (in the new
-- dataset schema) and SQLite (in the new file). A duplicate id fails here,
-- which rejects the load.
CREATE UNIQUE INDEX wmi_pk ON wmi (id);
CREATE INDEX wmi_wmi ON wmi (wmi);
CREATE UNIQUE INDEX wmi_vinschema_pk ON wmi_vinschema (id);
CREATE INDEX wmi_vinschema_wmiid ON wmi_vinschema (wmiid);
CREATE INDEX wmi_vinschema_vinschemaid ON wmi_vinschema (vinschemaid);
CREATE UNIQUE INDEX vinschema_pk ON vinschema (id);
CREATE UNIQUE INDEX pattern_pk ON pattern (id);
CREATE INDEX pattern_vinschemaid ON pattern (vinschemaid, id);
CREATE UNIQUE INDEX element_pk ON element (id);
CREATE UNIQUE INDEX make_pk ON make (id);
CREATE UNIQUE INDEX model_pk ON model (id);
CREATE UNIQUE INDEX make_model_pk ON make_model (id);
CREATE INDEX make_model_makeid ON make_model (makeid);
CREATE INDEX make_model_modelid ON make_model (modelid);
CREATE UNIQUE INDEX manufacturer_pk ON manufacturer (id);
CREATE UNIQUE INDEX manufacturer_make_pk ON manufacturer_make (id);
CREATE UNIQUE INDEX wmi_make_pk ON wmi_make (wmiid, makeid);
CREATE INDEX wmi_make_makeid ON wmi_make (makeid);
CREATE UNIQUE INDEX country_pk ON country (id);
CREATE UNIQUE INDEX vehicletype_pk ON vehicletype (id);
CREATE UNIQUE INDEX enginemodel_pk ON enginemodel (id);
CREATE UNIQUE INDEX enginemodelpattern_pk ON enginemodelpattern (id);
CREATE UNIQUE INDEX conversion_pk ON conversion (id);
CREATE UNIQUE INDEX defaultvalue_pk ON defaultvalue (id);
CREATE UNIQUE INDEX errorcode_pk ON errorcode (id);
CREATE UNIQUE INDEX vinexception_pk ON vinexception (id);
CREATE UNIQUE INDEX vindescriptor_pk ON vindescriptor (id);
CREATE UNIQUE INDEX vehiclespecschema_pk ON vehiclespecschema (id);
CREATE INDEX vehiclespecschema_makeid ON vehiclespecschema (makeid);
CREATE UNIQUE INDEX vspecschemapattern_pk ON vspecschemapattern (id);
CREATE INDEX vspecschemapattern_schemaid ON vspecschemapattern (schemaid);
CREATE UNIQUE INDEX vehiclespecpattern_pk ON vehiclespecpattern (id);
CREATE INDEX vehiclespecpattern_vsp ON vehiclespecpattern (vspecschemapatternid);
CREATE UNIQUE INDEX vehiclespecschema_model_pk ON vehiclespecschema_model (id);
CREATE INDEX vehiclespecschema_model_schema ON vehiclespecschema_model (vehiclespecschemaid);
CREATE UNIQUE INDEX vehiclespecschema_year_pk ON vehiclespecschema_year (id);
CREATE INDEX vehiclespecschema_year_schema ON vehiclespecschema_year (vehiclespecschemaid);
CREATE UNIQUE INDEX lookup_pk ON lookup (tbl, id);
