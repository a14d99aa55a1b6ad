#include "core/memory/metadata_filter.h"

#include <algorithm>
#include <cmath>

namespace outpost::core::memory {

namespace {

struct OpName {
    const char* name;
    FilterOp op;
};
constexpr OpName kOps[] = {{"$eq", FilterOp::Eq},   {"$ne", FilterOp::Ne},   {"$in", FilterOp::In},
                           {"$nin", FilterOp::Nin}, {"$lt", FilterOp::Lt},   {"$lte", FilterOp::Lte},
                           {"$gt", FilterOp::Gt},   {"$gte", FilterOp::Gte}};

constexpr std::size_t kMaxConditions = 64;
constexpr std::size_t kMaxInValues = 1024;

std::string describe(const Json& v)
{
    std::string s = v.dump();
    if (s.size() > 40)
        s = s.substr(0, 37) + "...";
    return s;
}

bool isRange(FilterOp op)
{
    return op == FilterOp::Lt || op == FilterOp::Lte || op == FilterOp::Gt || op == FilterOp::Gte;
}

bool compareScalars(FilterOp op, const FilterScalar& have, const FilterScalar& want)
{
    if (have.index() != want.index())
        return false;
    switch (op) {
    case FilterOp::Lt: return have < want;
    case FilterOp::Lte: return have <= want;
    case FilterOp::Gt: return have > want;
    case FilterOp::Gte: return have >= want;
    default: return have == want;
    }
}

} // namespace

bool toFilterScalar(const Json& value, FilterScalar& out)
{
    if (value.is_boolean()) {
        out = value.get<bool>();
        return true;
    }
    if (value.is_number()) {
        const double d = value.get<double>();
        if (!std::isfinite(d))
            return false;
        out = d;
        return true;
    }
    if (value.is_string()) {
        out = value.get<std::string>();
        return true;
    }
    return false;
}

Result<MetadataFilter> MetadataFilter::parse(const Json& filter)
{
    MetadataFilter f;
    if (filter.is_null())
        return f;
    if (!filter.is_object())
        return Error{"filter: expected a JSON object of field conditions, got " + describe(filter)};
    for (const auto& [field, spec] : filter.items()) {
        if (field.empty())
            return Error{"filter: a field name is empty"};
        if (field[0] == '$')
            return Error{"filter: unknown top-level operator '" + field
                         + "' (conditions on fields are combined with AND; $and/$or are not supported)"};
        if (field.size() > 512)
            return Error{"filter: field name longer than 512 bytes"};
        auto addCondition = [&](FilterOp op, const Json& value, const std::string& opName) -> Status {
            FilterCondition c;
            c.field = field;
            c.op = op;
            if (op == FilterOp::In || op == FilterOp::Nin) {
                if (!value.is_array())
                    return Error{"filter: field '" + field + "': " + opName + " needs an array, got " + describe(value)};
                if (value.size() > kMaxInValues)
                    return Error{"filter: field '" + field + "': " + opName + " has more than "
                                 + std::to_string(kMaxInValues) + " values"};
                for (const auto& item : value) {
                    FilterScalar s;
                    if (!toFilterScalar(item, s))
                        return Error{"filter: field '" + field + "': " + opName
                                     + " values must be strings, numbers or booleans, got " + describe(item)};
                    c.values.push_back(std::move(s));
                }
            } else {
                FilterScalar s;
                if (!toFilterScalar(value, s))
                    return Error{"filter: field '" + field + "': " + opName
                                 + " needs a string, number or boolean, got " + describe(value)};
                if (isRange(op) && std::holds_alternative<bool>(s))
                    return Error{"filter: field '" + field + "': " + opName + " compares numbers or strings, not booleans"};
                c.values.push_back(std::move(s));
            }
            f.m_conditions.push_back(std::move(c));
            return {};
        };
        if (spec.is_object()) {
            if (spec.empty())
                return Error{"filter: field '" + field + "': no operator given"};
            for (const auto& [opName, value] : spec.items()) {
                const auto* found = std::find_if(std::begin(kOps), std::end(kOps),
                                                 [&](const OpName& o) { return opName == o.name; });
                if (found == std::end(kOps))
                    return Error{"filter: field '" + field + "': unknown operator '" + opName
                                 + "' (known: $eq $ne $in $nin $lt $lte $gt $gte)"};
                if (auto st = addCondition(found->op, value, opName); !st)
                    return Error{st.error()};
            }
        } else if (auto st = addCondition(FilterOp::Eq, spec, "$eq"); !st) {
            return Error{st.error()};
        }
        if (f.m_conditions.size() > kMaxConditions)
            return Error{"filter: more than " + std::to_string(kMaxConditions) + " conditions"};
    }
    if (!f.m_conditions.empty())
        f.m_canonical = filter.dump();   // nlohmann keeps object keys sorted
    return f;
}

bool MetadataFilter::matches(const Json& metadata) const
{
    for (const auto& c : m_conditions) {
        const Json* value = nullptr;
        if (metadata.is_object()) {
            auto it = metadata.find(c.field);
            if (it != metadata.end())
                value = &*it;
        }
        FilterScalar have;
        const bool scalar = value && toFilterScalar(*value, have);
        bool ok = false;
        switch (c.op) {
        case FilterOp::Eq: ok = scalar && have == c.values[0]; break;
        case FilterOp::Ne: ok = !scalar || !(have == c.values[0]); break;
        case FilterOp::In:
            ok = scalar && std::find(c.values.begin(), c.values.end(), have) != c.values.end();
            break;
        case FilterOp::Nin:
            ok = !scalar || std::find(c.values.begin(), c.values.end(), have) == c.values.end();
            break;
        default: ok = scalar && compareScalars(c.op, have, c.values[0]); break;
        }
        if (!ok)
            return false;
    }
    return true;
}

void FieldIndex::add(const Json& value, std::uint64_t slot)
{
    FilterScalar s;
    if (toFilterScalar(value, s))
        m_entries.push_back({std::move(s), slot});
}

void FieldIndex::finish()
{
    std::sort(m_entries.begin(), m_entries.end(), [](const Entry& a, const Entry& b) { return a.value < b.value; });
}

void FieldIndex::selectEqual(const FilterScalar& value, SlotSet& out) const
{
    auto lo = std::lower_bound(m_entries.begin(), m_entries.end(), value,
                               [](const Entry& e, const FilterScalar& v) { return e.value < v; });
    for (; lo != m_entries.end() && lo->value == value; ++lo)
        out.set(lo->slot);
}

void FieldIndex::select(const FilterCondition& c, const SlotSet& live, SlotSet& out) const
{
    switch (c.op) {
    case FilterOp::Eq: selectEqual(c.values[0], out); break;
    case FilterOp::In:
        for (const auto& v : c.values)
            selectEqual(v, out);
        break;
    case FilterOp::Ne: selectEqual(c.values[0], out); out.complementWithin(live); return;
    case FilterOp::Nin:
        for (const auto& v : c.values)
            selectEqual(v, out);
        out.complementWithin(live);
        return;
    default: {
        const auto [from, to] = rangeOf(c);
        for (std::size_t i = from; i < to; ++i)
            out.set(m_entries[i].slot);
        break;
    }
    }
    out.intersect(live);
}


std::pair<std::size_t, std::size_t> FieldIndex::rangeOf(const FilterCondition& c) const
{
    // Entries of the value's own type form one sorted run; the range is a
    // sub-run of it.
    const FilterScalar& v = c.values[0];
    const std::size_t type = v.index();
    auto typeBegin = std::partition_point(m_entries.begin(), m_entries.end(),
                                          [&](const Entry& e) { return e.value.index() < type; });
    auto typeEnd = std::partition_point(typeBegin, m_entries.end(), [&](const Entry& e) { return e.value.index() == type; });
    auto lower = std::partition_point(typeBegin, typeEnd, [&](const Entry& e) { return e.value < v; });
    auto upper = std::partition_point(lower, typeEnd, [&](const Entry& e) { return e.value <= v; });
    auto from = typeBegin, to = typeEnd;
    switch (c.op) {
    case FilterOp::Lt: to = lower; break;
    case FilterOp::Lte: to = upper; break;
    case FilterOp::Gt: from = upper; break;
    default: from = lower; break;   // Gte
    }
    return {std::size_t(from - m_entries.begin()), std::size_t(to - m_entries.begin())};
}

void FieldIndex::selectRanges(const std::vector<const FilterCondition*>& ranges, const SlotSet& live, SlotSet& out) const
{
    std::size_t from = 0, to = m_entries.size();
    for (const auto* c : ranges) {
        const auto [f, t] = rangeOf(*c);
        from = std::max(from, f);
        to = std::min(to, t);
    }
    for (std::size_t i = from; i < to; ++i)
        out.set(m_entries[i].slot);
    out.intersect(live);
}

} // namespace outpost::core::memory
