//! Reading the loaded vPIC tables of a staging dataset, and writing the
//! derived `dd_*` tables into it in batches.
//!
//! The read queries are the same text on both backends (`CAST(… AS BIGINT)`
//! and `CAST(… AS TEXT)` mean the same in Postgres and SQLite); unqualified
//! names resolve to the staging dataset on both.

use super::compute::{Input, Output, PatternIn, element};
use super::spec::SpecInput;
use crate::etl::Staging;

/// Runs one read query on whichever backend the staging dataset lives on.
macro_rules! fetch {
    ($staging:expr, $row:ty, $sql:expr) => {
        match $staging {
            #[cfg(feature = "postgres")]
            Staging::Postgres { conn, .. } => {
                sqlx::query_as::<_, $row>($sql)
                    .fetch_all(&mut **conn)
                    .await?
            }
            #[cfg(feature = "sqlite")]
            Staging::Sqlite { conn } => {
                sqlx::query_as::<_, $row>($sql)
                    .fetch_all(&mut **conn)
                    .await?
            }
        }
    };
}

/// The lookup tables whose names the derivation prints.
const LOOKUP_TABLES: [&str; 4] = ["engineconfiguration", "fueltype", "turbo", "transmission"];

/// Reads everything [`super::compute::compute`] needs.
pub(crate) async fn read_input(staging: &mut Staging<'_>) -> crate::Result<Input> {
    let elements = element::ALL
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let mut input = Input {
        wmis: fetch!(
            staging,
            (i64, Option<String>),
            "SELECT CAST(id AS BIGINT), CAST(publicavailabilitydate AS TEXT) FROM wmi"
        ),
        links: fetch!(
            staging,
            (i64, i64, i64, Option<i64>),
            "SELECT CAST(wmiid AS BIGINT), CAST(vinschemaid AS BIGINT), \
             CAST(yearfrom AS BIGINT), CAST(yearto AS BIGINT) FROM wmi_vinschema"
        ),
        ..Input::default()
    };
    let qc: Vec<(i64,)> = fetch!(
        staging,
        (i64,),
        "SELECT CAST(id AS BIGINT) FROM vinschema WHERE tobeqced"
    );
    input.qc_schemas = qc.into_iter().map(|(id,)| id).collect();

    // The element list is a constant of this module, not input.
    let pattern_sql = format!(
        "SELECT CAST(id AS BIGINT), CAST(vinschemaid AS BIGINT), keys, \
         CAST(elementid AS BIGINT), attributeid FROM pattern WHERE elementid IN ({elements})"
    );
    let patterns: Vec<(i64, i64, String, i64, String)> =
        fetch!(staging, (i64, i64, String, i64, String), &pattern_sql);
    input.patterns = patterns
        .into_iter()
        .map(
            |(id, schema_id, keys, element_id, attribute_id)| PatternIn {
                id,
                schema_id,
                keys,
                element_id,
                attribute_id,
            },
        )
        .collect();

    input.make_models = fetch!(
        staging,
        (i64, i64),
        "SELECT CAST(makeid AS BIGINT), CAST(modelid AS BIGINT) FROM make_model"
    );
    let makes: Vec<(i64, String)> = fetch!(
        staging,
        (i64, String),
        "SELECT CAST(id AS BIGINT), name FROM make"
    );
    input.makes = makes.into_iter().collect();
    let models: Vec<(i64, String)> = fetch!(
        staging,
        (i64, String),
        "SELECT CAST(id AS BIGINT), name FROM model"
    );
    input.models = models.into_iter().collect();

    let lookups: Vec<(String, String, String)> = fetch!(
        staging,
        (String, String, String),
        "SELECT tbl, CAST(id AS TEXT), name FROM lookup \
         WHERE tbl IN ('engineconfiguration', 'fueltype', 'turbo', 'transmission')"
    );
    for (table, id, name) in lookups {
        if let Some(t) = LOOKUP_TABLES.iter().find(|t| **t == table) {
            input.lookups.insert((t, id), name);
        }
    }

    input.engine_models = fetch!(
        staging,
        (i64, String),
        "SELECT CAST(id AS BIGINT), name FROM enginemodel"
    );
    input.engine_model_patterns = fetch!(
        staging,
        (i64, i64, String),
        "SELECT CAST(enginemodelid AS BIGINT), CAST(elementid AS BIGINT), attributeid \
         FROM enginemodelpattern ORDER BY id"
    );
    input.spec = read_spec(staging).await?;
    Ok(input)
}

/// The vehicle spec rows (empty tables when the source has none).
async fn read_spec(staging: &mut Staging<'_>) -> crate::Result<SpecInput> {
    let keyed: Vec<(i64,)> = fetch!(
        staging,
        (i64,),
        "SELECT DISTINCT CAST(vspecschemapatternid AS BIGINT) FROM vehiclespecpattern WHERE iskey"
    );
    // Element 38 (Trim), a constant of this module.
    let trims_sql = format!(
        "SELECT CAST(vspecschemapatternid AS BIGINT), attributeid FROM vehiclespecpattern \
         WHERE NOT iskey AND elementid = {}",
        element::TRIM
    );
    Ok(SpecInput {
        schemas: fetch!(
            staging,
            (i64, i64),
            "SELECT CAST(id AS BIGINT), CAST(makeid AS BIGINT) FROM vehiclespecschema \
             WHERE NOT COALESCE(tobeqced, FALSE)"
        ),
        models: fetch!(
            staging,
            (i64, i64),
            "SELECT CAST(vehiclespecschemaid AS BIGINT), CAST(modelid AS BIGINT) \
             FROM vehiclespecschema_model"
        ),
        years: fetch!(
            staging,
            (i64, i64),
            "SELECT CAST(vehiclespecschemaid AS BIGINT), CAST(year AS BIGINT) \
             FROM vehiclespecschema_year"
        ),
        patterns: fetch!(
            staging,
            (i64, i64),
            "SELECT CAST(id AS BIGINT), CAST(schemaid AS BIGINT) FROM vspecschemapattern"
        ),
        keyed: keyed.into_iter().map(|(id,)| id).collect(),
        trims: fetch!(staging, (i64, String), &trims_sql),
    })
}

/// One column of rows to insert.
enum Col {
    Int(Vec<i64>),
    Text(Vec<String>),
    Bytes(Vec<Vec<u8>>),
}

impl Col {
    fn len(&self) -> usize {
        match self {
            Col::Int(v) => v.len(),
            Col::Text(v) => v.len(),
            Col::Bytes(v) => v.len(),
        }
    }
}

/// A derived table's rows, column by column.
struct Table {
    name: &'static str,
    columns: Vec<(&'static str, Col)>,
}

impl Table {
    fn rows(&self) -> usize {
        self.columns.first().map_or(0, |(_, c)| c.len())
    }

    fn column_list(&self) -> String {
        let names: Vec<&str> = self.columns.iter().map(|(c, _)| *c).collect();
        names.join(", ")
    }
}

fn tables(out: &Output) -> Vec<Table> {
    fn ints<T>(rows: impl Iterator<Item = T> + Clone, f: impl Fn(T) -> i64) -> Col {
        Col::Int(rows.map(f).collect())
    }
    let names = |m: &std::collections::BTreeMap<i64, String>, name: &'static str| Table {
        name,
        columns: vec![
            ("id", Col::Int(m.keys().copied().collect())),
            ("name", Col::Text(m.values().cloned().collect())),
        ],
    };
    let triples = |s: &std::collections::BTreeSet<(i64, i64, i64)>,
                   name: &'static str,
                   last: &'static str| Table {
        name,
        columns: vec![
            ("group_id", ints(s.iter(), |r| r.0)),
            ("trim_id", ints(s.iter(), |r| r.1)),
            (last, ints(s.iter(), |r| r.2)),
        ],
    };
    vec![
        Table {
            name: "dd_year",
            columns: vec![("year", ints(out.years.iter(), |y| i64::from(*y)))],
        },
        Table {
            name: "dd_make",
            columns: vec![
                ("year", ints(out.makes.keys(), |k| i64::from(k.0))),
                ("make_id", ints(out.makes.keys(), |k| k.1)),
                ("name", Col::Text(out.makes.values().cloned().collect())),
            ],
        },
        {
            let lists = super::packed::make_lists(&out.makes);
            Table {
                name: "dd_make_list",
                columns: vec![
                    ("year", ints(lists.iter(), |l| i64::from(l.0))),
                    (
                        "makes",
                        Col::Bytes(lists.into_iter().map(|l| l.1).collect()),
                    ),
                ],
            }
        },
        Table {
            name: "dd_model",
            columns: vec![
                ("year", ints(out.models.keys(), |k| i64::from(k.0))),
                ("make_id", ints(out.models.keys(), |k| k.1)),
                ("model_id", ints(out.models.keys(), |k| k.2)),
                ("name", Col::Text(out.models.values().cloned().collect())),
            ],
        },
        Table {
            name: "dd_group_year",
            columns: vec![
                ("year", ints(out.group_years.iter(), |k| i64::from(k.0))),
                ("make_id", ints(out.group_years.iter(), |k| k.1)),
                ("model_id", ints(out.group_years.iter(), |k| k.2)),
                ("group_id", ints(out.group_years.iter(), |k| k.3)),
            ],
        },
        names(&out.trims, "dd_trim"),
        Table {
            name: "dd_group_trim",
            columns: vec![
                ("group_id", ints(out.group_trims.iter(), |k| k.0)),
                ("trim_id", ints(out.group_trims.iter(), |k| k.1)),
            ],
        },
        names(&out.engines, "dd_engine"),
        triples(&out.group_engines, "dd_group_engine", "engine_id"),
        names(&out.transmissions, "dd_transmission"),
        triples(
            &out.group_transmissions,
            "dd_group_transmission",
            "transmission_id",
        ),
    ]
}

/// Rows per statement: well under SQLite's 32 766 bound parameters.
#[cfg(feature = "sqlite")]
const SQLITE_BATCH_ROWS: usize = 4000;
/// Rows per statement on Postgres (one array parameter per column).
#[cfg(feature = "postgres")]
const POSTGRES_BATCH_ROWS: usize = 50_000;

/// Writes the derived tables (empty before: the dataset is new).
pub(crate) async fn write_output(staging: &mut Staging<'_>, out: &Output) -> crate::Result<()> {
    let tables = tables(out);
    match staging {
        #[cfg(feature = "postgres")]
        Staging::Postgres { conn, .. } => {
            for table in &tables {
                // One array per column, unnested server-side: a few
                // statements for hundreds of thousands of rows.
                let casts = table
                    .columns
                    .iter()
                    .enumerate()
                    .map(|(i, (_, c))| match c {
                        Col::Int(_) => format!("${}::bigint[]", i + 1),
                        Col::Text(_) => format!("${}::text[]", i + 1),
                        Col::Bytes(_) => format!("${}::bytea[]", i + 1),
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                let sql = format!(
                    "INSERT INTO {} ({}) SELECT * FROM UNNEST({casts})",
                    table.name,
                    table.column_list()
                );
                let mut start = 0;
                while start < table.rows() {
                    let end = (start + POSTGRES_BATCH_ROWS).min(table.rows());
                    let mut q = sqlx::query(&sql);
                    for (_, c) in &table.columns {
                        q = match c {
                            Col::Int(v) => q.bind(&v[start..end]),
                            Col::Text(v) => q.bind(&v[start..end]),
                            Col::Bytes(v) => q.bind(&v[start..end]),
                        };
                    }
                    q.execute(&mut **conn).await?;
                    start = end;
                }
            }
            // Fresh statistics, so the first queries get good plans.
            let names: Vec<&str> = tables.iter().map(|t| t.name).collect();
            sqlx::query(&format!("ANALYZE {}", names.join(", ")))
                .execute(&mut **conn)
                .await?;
        }
        #[cfg(feature = "sqlite")]
        Staging::Sqlite { conn } => {
            // One transaction for all rows (nested in the loader's, if any,
            // as a savepoint).
            let mut tx = sqlx::Connection::begin(&mut **conn).await?;
            for table in &tables {
                let mut start = 0;
                while start < table.rows() {
                    let end = (start + SQLITE_BATCH_ROWS).min(table.rows());
                    let mut qb = sqlx::QueryBuilder::<sqlx::Sqlite>::new(format!(
                        "INSERT INTO {} ({}) ",
                        table.name,
                        table.column_list()
                    ));
                    qb.push_values(start..end, |mut row, i| {
                        for (_, c) in &table.columns {
                            match c {
                                Col::Int(v) => row.push_bind(v[i]),
                                Col::Text(v) => row.push_bind(v[i].clone()),
                                Col::Bytes(v) => row.push_bind(v[i].clone()),
                            };
                        }
                    });
                    qb.build().execute(&mut *tx).await?;
                    start = end;
                }
            }
            tx.commit().await?;
        }
    }
    Ok(())
}
