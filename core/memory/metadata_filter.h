#pragma once
// Metadata filters: conditions on the top-level fields of a record's JSON
// metadata, all of which must hold (AND).
//
//   {"genre": "drama"}                         field equals value ($eq)
//   {"year": {"$gte": 1990, "$lt": 2000}}      several operators on one field
//   {"lang": {"$in": ["en", "fr"]}, "draft": {"$ne": true}}
//
// Operators: $eq, $ne, $in, $nin, $lt, $lte, $gt, $gte. Values are strings,
// numbers or booleans; $in/$nin take an array of them. Numbers compare with
// numbers, strings with strings (byte order); booleans only by equality.
// $ne and $nin also match records that lack the field (as in MongoDB); the
// other operators never do. Fields holding arrays or objects only match
// $ne and $nin (they equal no scalar).
#include "core/memory/metric.h"
#include "core/memory/slot_set.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace outpost::core::memory {

using Json = nlohmann::json;
using FilterScalar = std::variant<bool, double, std::string>;

enum class FilterOp { Eq, Ne, In, Nin, Lt, Lte, Gt, Gte };

struct FilterCondition {
    std::string field;
    FilterOp op = FilterOp::Eq;
    std::vector<FilterScalar> values;   // one value, or the list of $in/$nin
};

class MetadataFilter {
public:
    // null or {} is the empty filter (everything matches). Errors name the
    // field and the problem: an unknown operator, a value of the wrong type,
    // a top-level key that is an operator ($and, $or are not supported).
    static Result<MetadataFilter> parse(const Json& filter);

    bool empty() const { return m_conditions.empty(); }
    const std::vector<FilterCondition>& conditions() const { return m_conditions; }
    // The same text for the same filter, whatever its key order: a cache key.
    const std::string& canonical() const { return m_canonical; }

    // Direct evaluation on one record's metadata: the reference the indexed
    // evaluation (FieldIndex) is tested against.
    bool matches(const Json& metadata) const;

private:
    std::vector<FilterCondition> m_conditions;
    std::string m_canonical;
};

// A field's scalar values over all records, sorted, so that a condition
// becomes a few binary searches and a run of slots.
class FieldIndex {
public:
    // Records `value` for `slot` if it is a string, number or boolean.
    void add(const Json& value, std::uint64_t slot);
    void finish();   // call once after the last add()
    // Fills `out` (empty on entry, with the universe of `live`) with the
    // slots among `live` that satisfy the condition.
    void select(const FilterCondition& condition, const SlotSet& live, SlotSet& out) const;

    // Fills `out` like select() with the slots satisfying every one of
    // `ranges` ($lt/$lte/$gt/$gte on this field): one run of the sorted
    // values, however wide each bound alone is.
    void selectRanges(const std::vector<const FilterCondition*>& ranges, const SlotSet& live, SlotSet& out) const;

private:
    std::pair<std::size_t, std::size_t> rangeOf(const FilterCondition& condition) const;
    struct Entry {
        FilterScalar value;
        std::uint64_t slot;
    };
    void selectEqual(const FilterScalar& value, SlotSet& out) const;
    std::vector<Entry> m_entries;
};

// Converts a JSON scalar; false for null, arrays and objects.
bool toFilterScalar(const Json& value, FilterScalar& out);

} // namespace outpost::core::memory
